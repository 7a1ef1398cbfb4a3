// The one error type of the Swift API, and the single place where C status codes become it.
import CVAEGAN

/// Everything a caller of VAEGAN can get wrong, or that can go wrong outside its control.
public enum VAEGANError: Error, Equatable, CustomStringConvertible {
    /// Sizes that do not fit each other or the model.
    case shapeMismatch(String)
    /// A bad argument or hyperparameter (negative β, learning rate ≤ 0, batch size 0, …).
    case invalidArgument(String)
    /// NaN or infinity where finite values are required.
    case nonFinite(String)
    /// A file that could not be opened, read or written.
    case io(String)
    /// A file whose contents are not what they claim to be.
    case format(String)
    /// A handle or checkpoint of another model kind.
    case wrongModel(String)
    case outOfMemory(String)
    /// A call out of order, or a bug trap reported rather than crashing.
    case state(String)
    /// A training call stopped on request (vg_model_request_stop, a progress callback) at a
    /// step boundary; the steps before it stay applied.
    case cancelled(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let m): "shape mismatch: \(m)"
        case .invalidArgument(let m): "invalid argument: \(m)"
        case .nonFinite(let m): "non-finite value: \(m)"
        case .io(let m): "I/O error: \(m)"
        case .format(let m): "format error: \(m)"
        case .wrongModel(let m): "wrong model: \(m)"
        case .outOfMemory(let m): "out of memory: \(m)"
        case .state(let m): "invalid state: \(m)"
        case .cancelled(let m): "cancelled: \(m)"
        }
    }

    /// The message alone, without the category.
    public var message: String {
        switch self {
        case .shapeMismatch(let m), .invalidArgument(let m), .nonFinite(let m), .io(let m),
            .format(let m), .wrongModel(let m), .outOfMemory(let m), .state(let m), .cancelled(let m):
            m
        }
    }

    /// The C status code for this error (the C ABI reports it).
    public var status: vg_status {
        switch self {
        case .shapeMismatch: VG_ERROR_SHAPE_MISMATCH
        case .invalidArgument: VG_ERROR_INVALID_ARGUMENT
        case .nonFinite: VG_ERROR_NON_FINITE
        case .io: VG_ERROR_IO
        case .format: VG_ERROR_FORMAT
        case .wrongModel: VG_ERROR_WRONG_MODEL
        case .outOfMemory: VG_ERROR_OUT_OF_MEMORY
        case .state: VG_ERROR_STATE
        case .cancelled: VG_CANCELLED
        }
    }
}

/// Turns a C status into a thrown error; reads the message at once, on this thread.
@inline(__always)
func check(_ status: vg_status) throws(VAEGANError) {
    guard status != VG_OK else { return }
    let message = String(cString: vg_last_error_message())
    switch status {
    case VG_ERROR_SHAPE_MISMATCH: throw .shapeMismatch(message)
    case VG_ERROR_NON_FINITE: throw .nonFinite(message)
    case VG_ERROR_OUT_OF_MEMORY: throw .outOfMemory(message)
    case VG_ERROR_IO: throw .io(message)
    case VG_ERROR_FORMAT: throw .format(message)
    case VG_ERROR_WRONG_MODEL: throw .wrongModel(message)
    case VG_ERROR_STATE: throw .state(message)
    case VG_ERROR_INTERNAL: throw .state("a bug in VAEGAN, please report it: \(message)")
    case VG_CANCELLED: throw .cancelled(message)
    default: throw .invalidArgument(message)
    }
}

/// Throws `.invalidArgument(message)` unless `condition` holds.
@inline(__always)
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(VAEGANError) {
    if !condition { throw .invalidArgument(message()) }
}
