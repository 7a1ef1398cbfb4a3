// The C ABI's error boundary: every exported function runs its body through `cCall`, which
// turns a thrown VAEGANError into the function's vg_status and the calling thread's last
// error message (vg_error_set, thread-local in error.c). Nothing thrown crosses into C.
//
// Also the argument checks every entry point shares: NULL pointers, sizes, finite values.
import CVAEGAN

/// Runs the body of the C function `function`; returns VG_OK, or the error's status after
/// recording "function: message" as this thread's last error.
@inline(__always)
func cCall(_ function: StaticString, _ body: () throws(VAEGANError) -> Void) -> vg_status {
    do {
        try body()
        return VG_OK
    } catch {
        return vg_error_set(error.status, "\(function): \(error.message)")
    }
}

/// `pointer`, or `.invalidArgument("<name> is NULL")`.
@inline(__always)
func nonNull<Pointee>(_ pointer: UnsafePointer<Pointee>?, _ name: String) throws(VAEGANError) -> UnsafePointer<Pointee> {
    guard let pointer else { throw .invalidArgument("\(name) is NULL") }
    return pointer
}

@inline(__always)
func nonNull<Pointee>(_ pointer: UnsafeMutablePointer<Pointee>?, _ name: String) throws(VAEGANError)
    -> UnsafeMutablePointer<Pointee>
{
    guard let pointer else { throw .invalidArgument("\(name) is NULL") }
    return pointer
}

/// A count from C as an Int, which must be positive.
func positive(_ value: Int64, _ name: String) throws(VAEGANError) -> Int {
    try require(value > 0, "\(name) must be positive, not \(value)")
    return Int(value)
}

/// `a × b`, or `.invalidArgument` when the product overflows.
func product(_ a: Int, _ b: Int, _ what: String) throws(VAEGANError) -> Int {
    let (result, overflow) = a.multipliedReportingOverflow(by: b)
    try require(!overflow, "\(what) (\(a) × \(b)) is too large")
    return result
}

/// Throws `.nonFinite` naming the first NaN or infinity among `count` floats of a
/// `columns`-wide matrix called `name`.
func requireFinite(_ values: UnsafePointer<Float>, count: Int, columns: Int, _ name: String) throws(VAEGANError) {
    guard vg_count_non_finite(values, Int64(count)) > 0 else { return }
    let index = (0..<count).first { !values[$0].isFinite } ?? 0
    throw .nonFinite("\(name)[\(index / columns), \(index % columns)] is \(values[index])")
}

/// Throws `.invalidArgument` naming the first value of a `columns`-wide matrix outside `range`.
func requireValues(_ values: UnsafePointer<Float>, count: Int, columns: Int, in range: ClosedRange<Float>,
                   _ name: String, because reason: String) throws(VAEGANError) {
    for i in 0..<count where !range.contains(values[i]) {
        throw .invalidArgument(
            "\(name)[\(i / columns), \(i % columns)] = \(values[i]) is outside [\(range.lowerBound), \(range.upperBound)], \(reason)")
    }
}

/// A C string argument as a non-empty String.
func pathArgument(_ cString: UnsafePointer<CChar>?, _ name: String) throws(VAEGANError) -> String {
    let text = String(cString: try nonNull(cString, name))
    try require(!text.isEmpty, "\(name) is empty")
    return text
}
