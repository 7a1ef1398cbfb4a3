// Running a fixed-capacity layer stack over any number of rows: the inference helpers
// (decode all, encode all, generate all) share this loop.

/// Runs `body` on consecutive chunks of at most `capacity` rows of `rows` (each `width` values)
/// and concatenates the rows it returns.
func mapRowsInChunks(_ rows: [Float], width: Int, capacity: Int, _ body: (Matrix) -> Matrix) -> [Float] {
    precondition(width > 0 && rows.count % width == 0, "mapRowsInChunks: \(rows.count) values are not rows of \(width)")
    let count = rows.count / width
    let chunk = Tensor(shape: [capacity, width])
    var result: [Float] = []
    var start = 0
    while start < count {
        let n = min(capacity, count - start)
        rows.withUnsafeBufferPointer { chunk.pointer.update(from: $0.baseAddress! + start * width, count: n * width) }
        let output = body(Matrix(chunk.pointer, rows: n, columns: width))
        result += UnsafeBufferPointer(start: output.base, count: output.count)
        start += n
    }
    return result
}
