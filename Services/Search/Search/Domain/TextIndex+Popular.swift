extension TextIndex {
    /// The published experiences booked most, within `radiusKm` of `point` when there is one; ties go to the better
    /// rated.
    func popular(near point: (latitude: Double, longitude: Double)?, radiusKm: Double, limit: Int) -> [IndexedDocument] {
        let hits = facts.indices.filter { number in
            guard facts[number].isPublished else { return false }
            guard let point else { return true }
            return GreatCircle.kilometres(from: point, to: (facts[number].latitude, facts[number].longitude)) <= radiusKm
        }
        return top(limit, of: hits.map { Hit(document: $0, score: 0) }, by: .popularity).map { documents[$0.document] }
    }
}
