// Tensor: 64-byte aligned Float storage with a shape, owned or a view into another tensor's
// (a parameter's slice of its store). Batch-major: the first dimension counts examples. Tensors have reference semantics (like arrays in MLX or PyTorch): they are
// buffers that layers and optimizers write into, not values.
import CVAEGAN
import Glibc

/// A block of Floats aligned to 64 bytes (one AVX-512 vector, one cache line), zeroed; or a
/// view of such a block owned by another tensor (a parameter inside its `ParameterStore`).
///
/// ```swift
/// let t = try Tensor.zeros([128, 784])   // throws .outOfMemory rather than trapping
/// t.matrix.rows   // 128
/// ```
public final class Tensor {
    /// The size of each dimension; the product is `count`.
    public let shape: [Int]
    /// Number of Floats.
    public let count: Int
    /// The first Float. Valid for the tensor's lifetime.
    public let pointer: UnsafeMutablePointer<Float>
    /// For a view, the tensor whose memory it shows (kept alive by the view); nil when this
    /// tensor owns its memory and frees it.
    private let owner: Tensor?

    /// Allocates a zeroed tensor. Traps if memory runs out (as Swift's own arrays do); models
    /// allocate through `zeros(_:)`, which throws instead.
    public convenience init(shape: [Int]) {
        do {
            self.init(owning: try Self.allocateZeroed(shape), shape: shape)
        } catch {
            fatalError("Tensor: \(error.message)")
        }
    }

    /// A zeroed tensor of `shape`.
    ///
    /// - Throws: `.outOfMemory` when the allocation fails or its size does not fit in an `Int`.
    public static func zeros(_ shape: [Int]) throws(VAEGANError) -> Tensor {
        Tensor(owning: try allocateZeroed(shape), shape: shape)
    }

    /// A tensor holding a copy of `values`, which must have `shape`'s element count.
    public convenience init(shape: [Int], values: [Float]) {
        self.init(shape: shape)
        precondition(values.count == count, "Tensor: \(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    private init(owning pointer: UnsafeMutablePointer<Float>, shape: [Int]) {
        self.shape = shape
        count = shape.reduce(1, *)
        self.pointer = pointer
        owner = nil
    }

    /// A view of `shape`'s elements of `owner`, starting `offset` Floats in.
    init(viewing owner: Tensor, offset: Int, shape: [Int]) {
        let count = shape.reduce(1, *)
        precondition(offset >= 0 && offset + count <= owner.count,
                     "Tensor view of \(shape) at \(offset) outside \(owner.count) Floats")
        self.shape = shape
        self.count = count
        pointer = owner.pointer + offset
        self.owner = owner
    }

    deinit { if owner == nil { free(pointer) } }

    /// Zeroed, 64-byte aligned memory for `shape`'s elements (at least one Float).
    private static func allocateZeroed(_ shape: [Int]) throws(VAEGANError) -> UnsafeMutablePointer<Float> {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
        var count = 1, overflow = false
        for size in shape where !overflow { (count, overflow) = count.multipliedReportingOverflow(by: size) }
        let (bytes, bytesOverflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        guard !overflow, !bytesOverflow else { throw .outOfMemory("a tensor of shape \(shape) has more bytes than an Int counts") }
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            throw .outOfMemory("could not allocate \(bytes) bytes for a tensor of shape \(shape)")
        }
        memset(raw, 0, bytes)
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// The elements as a buffer, for reading and writing.
    public var buffer: UnsafeMutableBufferPointer<Float> { .init(start: pointer, count: count) }

    /// A copy of the elements.
    public var values: [Float] { Array(buffer) }

    /// The tensor as a matrix: the first dimension as rows, the rest flattened into columns.
    public var matrix: Matrix {
        let rows = shape.first ?? 1
        return Matrix(pointer, rows: rows, columns: rows == 0 ? 0 : count / rows)
    }

    /// Sets every element to zero.
    public func zero() { vg_fill(pointer, 0, Int64(count)) }

    /// Copies another tensor's elements; the counts must agree.
    public func copy(from other: Tensor) {
        precondition(other.count == count, "Tensor.copy: \(other.shape) into \(shape)")
        pointer.update(from: other.pointer, count: count)
    }
}
