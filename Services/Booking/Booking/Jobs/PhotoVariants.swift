import Contracts
import Foundation
import Imaging
import Logging
import ServiceKit

/// Makes each uploaded photo's sizes (``PhotoLinks/widths`` in WebP and JPEG, upright, without metadata) on the
/// image pool, and marks it ready; the experience's cover follows. Photos are claimed with `FOR UPDATE SKIP
/// LOCKED` and a lease, so several instances share the work and a crashed one's photo comes back. A file that does
/// not decode fails at once; a store or database that is away is tried again, later each time.
struct PhotoVariants: PeriodicWork {
    let booking: BookingService
    static let lease: TimeInterval = 300
    static let maxAttempts = 8

    func runOnce() async {
        // A few a round, so that a burst of uploads does not wait a round each.
        for _ in 0..<8 {
            do {
                guard let (photo, attempts) = try await booking.photos.claim(at: booking.clock.now(), lease: Self.lease) else { return }
                await process(photo, attempt: attempts)
            } catch {
                booking.logger.warning("Photo job failed; retrying next round", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    private func process(_ photo: Photo, attempt: Int) async {
        do {
            guard let source = try await booking.objects.get(photo.key(of: .original)) else {
                return try await finish(photo, error: "The upload is no longer in the object store.")
            }
            let variants = try await booking.images.variants(of: source, widths: PhotoLinks.widths, encodings: ImageEncoding.allCases)
            for variant in variants {
                let key = photo.key(of: PhotoFile(width: variant.width, encoding: variant.encoding))
                try await booking.objects.put(key, variant.bytes, contentType: variant.encoding.mediaType)
            }
            try await finish(photo, error: nil)
        } catch let error as ImageError {
            try? await finish(photo, error: "The file could not be decoded as an image (\(error)).")
        } catch {
            let retry = booking.clock.now().addingTimeInterval(min(pow(2, Double(attempt)), 600))
            booking.logger.warning("Photo variants failed", metadata: ["photo": "\(photo.id)", "attempt": "\(attempt)", "error": "\(error)"])
            if attempt >= Self.maxAttempts {
                try? await finish(photo, error: "Gave up after \(attempt) attempts: \(error)")
            } else {
                try? await booking.photos.retry(photo.id, at: retry, error: "\(error)")
            }
        }
    }

    private func finish(_ photo: Photo, error: String?) async throws {
        try await booking.transaction { connection in
            try await booking.photos.finish(photo.id, error: error, on: connection)
            if error == nil, photo.reviewId == nil { try await booking.refreshCover(of: photo.experienceId, on: connection) }
        }
    }
}
