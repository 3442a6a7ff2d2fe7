import Foundation
import HummingbirdOTP
import Testing

@testable import Auth

@Suite struct AuthDomainTests {
    let throttle = LoginThrottle(maximumFailures: 3, window: 900, firstLockout: 60, longestLockout: 3600)
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func failuresWithinTheWindowLockAndEachLockoutDoubles() {
        var state: LoginThrottle.State?
        for second in 0..<3 { state = throttle.recordingFailure(state, at: start.addingTimeInterval(Double(second))) }
        #expect(state?.lockedUntil == start.addingTimeInterval(2 + 60))
        #expect(state?.isLocked(at: start.addingTimeInterval(61)) == true)
        #expect(state?.isLocked(at: start.addingTimeInterval(63)) == false)
        let after = start.addingTimeInterval(100)
        for second in 0..<3 { state = throttle.recordingFailure(state, at: after.addingTimeInterval(Double(second))) }
        #expect(state?.lockedUntil == after.addingTimeInterval(2 + 120))
    }

    @Test func failuresSpreadBeyondTheWindowDoNotLock() {
        var state: LoginThrottle.State?
        for minute in 0..<10 { state = throttle.recordingFailure(state, at: start.addingTimeInterval(Double(minute) * 1000)) }
        #expect(state?.lockedUntil == nil)
    }

    @Test func lockoutsAreCappedAndForgivenAfterAQuietSpell() {
        var state = LoginThrottle.State(failures: 2, windowStartedAt: start, lockouts: 10, lockedUntil: nil)
        state = throttle.recordingFailure(state, at: start)
        #expect(state.lockedUntil == start.addingTimeInterval(3600))
        let muchLater = start.addingTimeInterval(3600 * 3)
        state = throttle.recordingFailure(state, at: muchLater)
        #expect(state.lockouts == 0)
    }

    /// Retention deletes a key's row after ``LoginThrottle/forgottenAfter``: by then any state acts as none would.
    @Test func aStateIsAsNoneOnceForgotten() {
        var states: [LoginThrottle.State] = []
        var state: LoginThrottle.State?
        for second in 0..<20 {
            let next = throttle.recordingFailure(state, at: start.addingTimeInterval(Double(second)))
            states.append(next)
            state = next
        }
        states.append(.init(failures: 2, windowStartedAt: start, lockouts: 10, lockedUntil: start.addingTimeInterval(3600)))
        for state in states {
            let forgotten = state.windowStartedAt.addingTimeInterval(throttle.forgottenAfter + 1)
            #expect(!state.isLocked(at: forgotten))
            // A lockout long over is still written down, and counts for nothing.
            let (next, fresh) = (throttle.recordingFailure(state, at: forgotten), throttle.recordingFailure(nil, at: forgotten))
            #expect(next.failures == fresh.failures && next.lockouts == fresh.lockouts, "\(state)")
            #expect(next.windowStartedAt == fresh.windowStartedAt && !next.isLocked(at: forgotten))
        }
    }

    @Test func emailsAreNormalisedAndValidated() {
        #expect(EmailAddress("  Ana.Perez@Example.COM ")?.value == "ana.perez@example.com")
        for bad in ["", "ana", "ana@", "@example.com", "ana@example", "ana@@example.com", "a b@example.com", "ana@.example.com", "ana@example..com"] {
            #expect(EmailAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func passwordsMustBeLongUncommonAndNotTheAccountsOwnWords() {
        let policy = PasswordPolicy.standard
        #expect(policy.problem(with: "short") != nil)
        #expect(policy.problem(with: "password123") != nil)
        #expect(policy.problem(with: "QWERTYUIOP") != nil)
        #expect(policy.problem(with: "aaaaaaaaaaaa") != nil)
        #expect(policy.problem(with: "ana.perez@example.com", email: "ana.perez@example.com") != nil)
        #expect(policy.problem(with: String(repeating: "ñandú ", count: 13)) != nil)
        #expect(policy.problem(with: "correct horse battery staple") == nil)
    }

    @Test func totpCodesMatchTheirStepWithOneStepOfDrift() {
        let secret = TOTPCode.makeSecret()
        let now = Date()
        let step = Int64(now.timeIntervalSince1970 / 30)
        let code = String(format: "%06d", TOTP(secret: secret).compute(date: now))
        #expect(TOTPCode.matchingStep(code, secret: secret, at: now) == step)
        #expect(TOTPCode.matchingStep(code, secret: secret, at: now.addingTimeInterval(30)) == step)
        #expect(TOTPCode.matchingStep(code, secret: secret, at: now.addingTimeInterval(90)) == nil)
        #expect(TOTPCode.matchingStep("12345", secret: secret, at: now) == nil)
    }
}
