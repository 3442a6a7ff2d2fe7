import Testing

@testable import Search

/// What the feed remembers having added to the lexicon and the completions, so as not to offer it again.
@Suite struct LearntTests {
    @Test func onlyWhatWasNotWrittenIsOfferedAgain() {
        let learnt = Learnt<String>()
        #expect(learnt.unknown(["cenote", "mezcal"]) == ["cenote", "mezcal"])
        learnt.remember(["cenote"])
        #expect(learnt.unknown(["cenote", "mezcal", "tacos"]) == ["mezcal", "tacos"])
        // A write that failed was never remembered: its words are offered with the next.
        #expect(learnt.unknown(["mezcal"]) == ["mezcal"])
    }

    @Test func theLongestUnusedAreForgottenAndOfferedAgain() {
        let learnt = Learnt<String>(limit: 4)
        learnt.remember(["a", "b"])
        learnt.remember(["c", "d", "e"])
        #expect(learnt.unknown(["a", "b", "c", "d", "e"]) == ["a", "b"])
    }
}
