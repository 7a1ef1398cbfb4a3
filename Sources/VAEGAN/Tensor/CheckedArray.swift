// Arrays whose size a caller chose, for the Swift API's results ([Float] rows, a data set's
// pixels). Swift traps when an array's allocation fails and an array cannot adopt memory
// allocated elsewhere, so these first map the array's bytes and unmap them: mmap is a system
// call, which the optimizer cannot remove (it removed the malloc-then-free probe once used
// here), and it meets the same limits (RLIMIT_AS, overcommit) as malloc's large allocations.
// A check, not a reservation: another thread allocating between the check and the array can
// still make the array trap. What only the library reads lives in a HeapBuffer or a Tensor,
// which keep what they allocate.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Array where Element: BitwiseCopyable {
    /// `count` copies of `value`.
    ///
    /// - Throws: `.outOfMemory` naming `what` when the bytes do not fit in an `Int` or cannot
    ///   be mapped now.
    init(checkedCount count: Int, repeating value: Element, _ what: @autoclosure () -> String) throws(VAEGANError) {
        try requireMappable(count: count, stride: MemoryLayout<Element>.stride, what())
        self.init(repeating: value, count: count)
    }

    /// `count` values that `initialize` writes, all of them, into uninitialized memory (not
    /// called when `count` is 0).
    ///
    /// - Throws: `.outOfMemory` as `init(checkedCount:repeating:_:)`.
    init(checkedCount count: Int, _ what: @autoclosure () -> String,
         initializingWith initialize: (UnsafeMutableBufferPointer<Element>) -> Void) throws(VAEGANError) {
        try requireMappable(count: count, stride: MemoryLayout<Element>.stride, what())
        self.init(unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { initialize(buffer) }
            initialized = count
        }
    }

    /// Room for at least `minimumCapacity` values, so that appending up to it cannot trap; for
    /// arrays that grow by steps (a file read to its end, an inflating stream).
    ///
    /// - Throws: `.outOfMemory` as `init(checkedCount:repeating:_:)`. The check runs while the
    ///   old storage is still mapped, as moving the values needs both.
    mutating func reserveCapacity(checked minimumCapacity: Int, _ what: @autoclosure () -> String) throws(VAEGANError) {
        guard minimumCapacity > capacity else { return }
        try requireMappable(count: minimumCapacity, stride: MemoryLayout<Element>.stride, what())
        reserveCapacity(minimumCapacity)
    }
}

/// Throws `.outOfMemory` unless `count` values of `stride` bytes (and a page for malloc's
/// header) can be mapped now. Below a megabyte it checks only the arithmetic: if so little
/// cannot be had, nothing else would run either.
private func requireMappable(count: Int, stride: Int, _ what: String) throws(VAEGANError) {
    precondition(count >= 0, "\(what): negative count \(count)")
    let (bytes, overflow) = count.multipliedReportingOverflow(by: stride)
    guard !overflow, bytes <= Int.max - 4096 else {
        throw .outOfMemory("\(what): \(count) values are more bytes than an Int counts")
    }
    guard bytes >= 1 << 20 else { return }
    let size = bytes + 4096
    guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
          mapped != UnsafeMutableRawPointer(bitPattern: -1)
    else {
        throw .outOfMemory("\(what): could not allocate \(bytes) bytes for \(count) values")
    }
    munmap(mapped, size)
}
