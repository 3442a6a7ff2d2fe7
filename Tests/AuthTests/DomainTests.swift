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
