extension TextIndex {
    /// The published experiences booked most, within `area` when there is one; ties go to the better rated.
    func popular(within area: (latitude: Double, longitude: Double, radiusKm: Double)?, limit: Int) -> [IndexedDocument] {
        let hits = facts.indices.filter { number in
            guard facts[number].isPublished else { return false }
            guard let area else { return true }
            return GreatCircle.kilometres(from: (area.latitude, area.longitude), to: (places[number].latitude, places[number].longitude)) <= area.radiusKm
        }
        return top(limit, of: hits.map { Hit(document: $0, score: 0) }, by: .popularity).map { documents[$0.document] }
    }
}
