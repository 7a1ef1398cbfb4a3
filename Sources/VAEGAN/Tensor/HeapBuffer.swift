// HeapBuffer: a fixed number of plain values in memory VAEGAN allocates itself, so that a size
// the caller chose and the machine cannot serve is `.outOfMemory`, not a trap. Swift's own
// arrays trap when malloc fails (and a malloc-then-free probe before making one is removed by
// the optimizer, or loses a race): what a user's sizes drive lives here or in a Tensor.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `count` values of a trivial type, zeroed or copied, freed with the buffer.
///
/// ```swift
/// let rows = try HeapBuffer<Float>(copying: UnsafeBufferPointer(start: x, count: n))
/// rows.buffer[0]   // x[0]
/// ```
/// The contents do not change after creation through the API VAEGAN uses, so a buffer may
/// be shared between threads (`Sendable`); writing through `pointer` is the creator's business
/// before it shares the buffer.
public final class HeapBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    /// The first value; valid for the buffer's lifetime.
    public let pointer: UnsafeMutablePointer<Element>
    /// Number of values.
    public let count: Int

    /// `count` zeroed values.
    ///
    /// - Throws: `.outOfMemory` when the bytes do not fit in an `Int` or cannot be allocated.
    public init(zeroed count: Int) throws(VAEGANError) {
        precondition(count >= 0, "HeapBuffer: negative count \(count)")
        let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<Element>.stride)
        guard !overflow, let raw = calloc(1, bytes) else {
            throw .outOfMemory("could not allocate \(overflow ? "more than Int.max" : "\(bytes)") bytes for \(count) values")
        }
        pointer = raw.bindMemory(to: Element.self, capacity: max(count, 1))
        self.count = count
    }

    /// A copy of `values`.
    ///
    /// - Throws: `.outOfMemory` as `init(zeroed:)`.
    public convenience init(copying values: UnsafeBufferPointer<Element>) throws(VAEGANError) {
        try self.init(zeroed: values.count)
        if let base = values.baseAddress { pointer.update(from: base, count: values.count) }
    }

    deinit { free(pointer) }

    /// The values, for reading (and, before sharing, writing).
    public var buffer: UnsafeMutableBufferPointer<Element> { .init(start: pointer, count: count) }

    /// A copy as an array (traps if that cannot be allocated, as arrays do).
    public var values: [Element] { Array(buffer) }
}

extension HeapBuffer: Equatable where Element: Equatable {
    /// Equal contents.
    public static func == (a: HeapBuffer, b: HeapBuffer) -> Bool {
        a === b || (a.count == b.count && a.buffer.elementsEqual(b.buffer))
    }
}
