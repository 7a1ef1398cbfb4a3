// ErrorTests: bad configuration and arguments become typed VAEGANErrors whose messages name
// the problem, and `check` turns every C status (with the thread's last message) into the
// matching case.
import CVAEGAN
import Testing
@testable import VAEGAN

@Suite struct ErrorTests {
    /// Expects `body` to throw `.invalidArgument` with a message that mentions `topic`.
    private func expectInvalid(_ topic: String, sourceLocation: SourceLocation = #_sourceLocation,
                               _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected an invalid-argument error about \(topic)", sourceLocation: sourceLocation)
        } catch {
            guard case .invalidArgument(let message)? = error as? VAEGANError else {
                Issue.record("expected .invalidArgument, got \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(message.contains(topic), "message \"\(message)\" does not mention \(topic)",
                    sourceLocation: sourceLocation)
        }
    }

    /// The configuration fails both on its own and when a VAE is built from it.
    private func expectInvalidConfiguration(_ topic: String, sourceLocation: SourceLocation = #_sourceLocation,
                                            _ change: (inout VAEConfiguration) -> Void) {
        var configuration = VAEConfiguration()
        change(&configuration)
        expectInvalid(topic, sourceLocation: sourceLocation) { try configuration.validate() }
        expectInvalid(topic, sourceLocation: sourceLocation) { _ = try VAE(configuration, batchCapacity: 1) }
    }

    @Test("VAEConfiguration: the defaults are valid")
    func defaultsValid() throws {
        try VAEConfiguration().validate()
    }

    @Test("VAEConfiguration: bad values name the field")
    func badConfiguration() {
        expectInvalidConfiguration("latent size") { $0.latentWidth = 0 }
        expectInvalidConfiguration("β") { $0.beta = -1 }
        expectInvalidConfiguration("β") { $0.beta = .nan }
        expectInvalidConfiguration("β") { $0.beta = .infinity }
        expectInvalidConfiguration("encoder widths") { $0.encoderWidths = [] }
        expectInvalidConfiguration("encoder widths") { $0.encoderWidths = [512, 0] }
        expectInvalidConfiguration("decoder widths") { $0.decoderWidths = [-3] }
        expectInvalidConfiguration("input width") { $0.inputWidth = 0 }
        expectInvalidConfiguration("σ") { $0.likelihood = .gaussian(sigma: 0, learned: false) }
        expectInvalidConfiguration("σ") { $0.likelihood = .gaussian(sigma: -0.5, learned: true) }
        expectInvalidConfiguration("σ") { $0.likelihood = .gaussian(sigma: .nan, learned: false) }
    }

    @Test("VAE: batch capacity 0 is rejected")
    func zeroBatchCapacity() {
        expectInvalid("batch size") { _ = try VAE(VAEConfiguration(), batchCapacity: 0) }
        expectInvalid("batch size") { _ = try VAE(VAEConfiguration(), batchCapacity: -1) }
    }

    @Test("Threads.set(-1) is rejected")
    func negativeThreadCount() {
        expectInvalid("thread count") { try Threads.set(-1) }
    }

    // MARK: C status translation

    static let statuses: [(vg_status, VAEGANError)] = [
        (VG_ERROR_INVALID_ARGUMENT, .invalidArgument("m")),
        (VG_ERROR_SHAPE_MISMATCH, .shapeMismatch("m")),
        (VG_ERROR_NON_FINITE, .nonFinite("m")),
        (VG_ERROR_OUT_OF_MEMORY, .outOfMemory("m")),
        (VG_ERROR_IO, .io("m")),
        (VG_ERROR_FORMAT, .format("m")),
        (VG_ERROR_WRONG_MODEL, .wrongModel("m")),
        (VG_ERROR_STATE, .state("m")),
        (VG_ERROR_INTERNAL, .state("m")), // no case of its own: a bug trap, reported as state
        (VG_CANCELLED, .cancelled("m")),
    ]

    @Test("check(_:) throws the matching case with the thread's last message")
    func statusTranslation() {
        for (status, expectedCase) in Self.statuses {
            let message = "problem \(status.rawValue): \(String(cString: vg_status_string(status)))"
            let returned = vg_error_set(status, message)
            #expect(returned == status)
            #expect(String(cString: vg_last_error_message()) == message)
            do {
                try check(status)
                Issue.record("check(\(status.rawValue)) did not throw")
            } catch {
                // A bug trap's message says it is one.
                let expectedMessage = status == VG_ERROR_INTERNAL ? "a bug in VAEGAN, please report it: \(message)" : message
                #expect(error.message == expectedMessage)
                #expect(error.status == expectedCase.status, "status \(status.rawValue) became \(error)")
                #expect(error == withMessage(expectedCase, expectedMessage))
                if status != VG_ERROR_INTERNAL { #expect(error.status == status) } // round trip
            }
        }
    }

    @Test("check(VG_OK) does not throw, even with a stale message")
    func okDoesNotThrow() throws {
        _ = vg_error_set(VG_ERROR_IO, "stale")
        try check(VG_OK)
        vg_error_clear()
        #expect(String(cString: vg_last_error_message()) == "")
    }

    @Test("An unknown status is still an error")
    func unknownStatus() {
        _ = vg_error_set(vg_status(rawValue: -42), "from the future")
        #expect(throws: VAEGANError.invalidArgument("from the future")) { try check(vg_status(rawValue: -42)) }
    }

    @Test("The description names the category and the message")
    func descriptions() {
        #expect(VAEGANError.invalidArgument("x").description == "invalid argument: x")
        #expect(VAEGANError.io("cannot open f").description == "I/O error: cannot open f")
    }

    /// `error`'s case carrying `message`.
    private func withMessage(_ error: VAEGANError, _ message: String) -> VAEGANError {
        switch error {
        case .shapeMismatch: .shapeMismatch(message)
        case .invalidArgument: .invalidArgument(message)
        case .nonFinite: .nonFinite(message)
        case .io: .io(message)
        case .format: .format(message)
        case .wrongModel: .wrongModel(message)
        case .outOfMemory: .outOfMemory(message)
        case .state: .state(message)
        case .cancelled: .cancelled(message)
        }
    }
}
