// Matrix: a non-owning view of rows × columns Floats, the currency of the hot path. Creating
// one allocates nothing, so layers pass them between forward and backward freely.

/// A row-major view into memory owned elsewhere (a `Tensor`, a layer's workspace).
public struct Matrix {
    public let base: UnsafeMutablePointer<Float>
    public let rows: Int
    public let columns: Int

    @inline(__always)
    public init(_ base: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        self.base = base
        self.rows = rows
        self.columns = columns
    }

    public var count: Int { rows * columns }

    /// The first `rows` rows.
    @inline(__always)
    public func prefix(rows: Int) -> Matrix {
        precondition(rows <= self.rows, "Matrix.prefix: \(rows) rows of \(self.rows)")
        return Matrix(base, rows: rows, columns: columns)
    }

    /// The row at `index`, as a pointer.
    @inline(__always)
    public func row(_ index: Int) -> UnsafeMutablePointer<Float> { base + index * columns }

    public subscript(row: Int, column: Int) -> Float {
        get { base[row * columns + column] }
        nonmutating set { base[row * columns + column] = newValue }
    }

    /// Copies `other`, which must have the same shape.
    public func copy(from other: Matrix) {
        precondition(other.rows == rows && other.columns == columns,
                     "Matrix.copy: (\(other.rows), \(other.columns)) into (\(rows), \(columns))")
        base.update(from: other.base, count: count)
    }

    public var values: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
