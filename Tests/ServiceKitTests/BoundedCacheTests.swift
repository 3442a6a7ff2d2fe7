import ServiceKit
import Testing

struct BoundedCacheTests {
    /// However many go in, no more than the limit are kept, and the latest ones are found.
    @Test func keepsNoMoreThanItsLimit() {
        var cache = BoundedCache<Int, String>(limit: 100)
        for number in 0..<1_000 { cache[number] = "\(number)" }
        #expect(cache.count <= 100)
        #expect(cache[999] == "999")
        #expect(cache[950] == "950")
        #expect(cache[0] == nil)
    }

    /// An entry read while the cache turns over many times stays; those never read again are let go.
    @Test func anEntryInUseSurvivesTheTurnover() {
        var cache = BoundedCache<Int, String>(limit: 100)
        cache[-1] = "in use"
        for number in 0..<10_000 {
            cache[number] = "\(number)"
            if number % 25 == 0 { #expect(cache[-1] == "in use") }
        }
        #expect(cache[-1] == "in use")
        #expect(cache[5_000] == nil)
        #expect(cache.count <= 100)
    }

    /// One more entry into a full cache leaves the newest half of what it held: it never empties at once.
    @Test func aFullCacheIsNotLetGoAtOnce() {
        var cache = BoundedCache<Int, Int>(limit: 10)
        for number in 0..<10 { cache[number] = number }
        cache[10] = 10
        #expect((5...10).allSatisfy { cache[$0] == $0 })
    }

    /// A value set again replaces the old one wherever it was kept, and nil removes it.
    @Test func replacesAndRemoves() {
        var cache = BoundedCache<String, Int>(limit: 4)
        cache["a"] = 1
        cache["b"] = 2
        cache["c"] = 3
        cache["a"] = 10
        #expect(cache["a"] == 10)
        #expect(cache.count == 3)
        cache["b"] = nil
        #expect(cache["b"] == nil)
        #expect(cache.count == 2)
        cache.removeAll()
        #expect(cache["a"] == nil)
        #expect(cache.count == 0)
    }
}
