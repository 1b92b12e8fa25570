@testable import OdometerService
import Testing

@Suite struct SecretScrubberTests {
    @Test func configuredSecretsAndURLPasswordsBecomeStars() {
        let scrubber = SecretScrubber(secrets: ["s3cr3t-token", "p%40ss", "abc"])
        #expect(scrubber.scrub("Bearer s3cr3t-token refused") == "Bearer *** refused")
        #expect(scrubber.scrub("cannot reach postgres://odometer:hunter22@db:5432/odometer now")
                == "cannot reach postgres://odometer:***@db:5432/odometer now")
        #expect(scrubber.scrub("password p@ss or p%40ss") == "password *** or ***")
        #expect(scrubber.scrub("abc stays: too short to hide") == "abc stays: too short to hide")
    }

    @Test func textWithoutSecretsIsUnchanged() {
        let scrubber = SecretScrubber(secrets: ["s3cr3t-token"])
        let text = "see https://example.com/path?x=1 and user@example.com"
        #expect(scrubber.scrub(text) == text)
    }
}
