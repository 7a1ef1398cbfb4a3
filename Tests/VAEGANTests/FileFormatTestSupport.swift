// Helpers shared by the file-format tests (IDX, NPY, PNG, safetensors).
import Testing

@testable import VAEGAN

/// Runs `body`, expecting it to throw the VAEGANError case made by `kind` (e.g.
/// `VAEGANError.format`) with a message containing every fragment.
func expectVAEGANError(
    _ kind: (String) -> VAEGANError, mentioning fragments: [String],
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(kind("…")), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as VAEGANError {
        #expect(error == kind(error.message), "wrong error case: \(error)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(
                error.message.contains(fragment), "\"\(error.message)\" lacks \"\(fragment)\"",
                sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected a VAEGANError, got \(error)", sourceLocation: sourceLocation)
    }
}
