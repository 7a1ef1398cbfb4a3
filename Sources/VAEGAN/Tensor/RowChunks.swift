// Running a fixed-capacity layer stack over any number of rows: the inference helpers
// (decode all, encode all, generate all) share this loop.

/// Runs `body` on consecutive chunks of at most `capacity` rows of `rows` (each `width` values)
/// and concatenates the rows it returns (each chunk's as many as it was given).
///
/// - Throws: `.outOfMemory` when the chunk or the result cannot be allocated: the caller's
///   row count sizes both.
func mapRowsInChunks(_ rows: UnsafeBufferPointer<Float>, width: Int, capacity: Int,
                     _ body: (Matrix) -> Matrix) throws(VAEGANError) -> [Float] {
    precondition(width > 0 && rows.count % width == 0, "mapRowsInChunks: \(rows.count) values are not rows of \(width)")
    let count = rows.count / width
    guard count > 0, let input = rows.baseAddress else { return [] }
    let chunk = try Tensor.zeros([min(capacity, count), width])
    var result: [Float] = []
    var start = 0
    while start < count {
        let n = min(capacity, count - start)
        chunk.pointer.update(from: input + start * width, count: n * width)
        let output = body(Matrix(chunk.pointer, rows: n, columns: width))
        if start == 0 {
            let (total, overflow) = count.multipliedReportingOverflow(by: output.columns)
            guard !overflow else { throw .outOfMemory("\(count) rows of \(output.columns) values are more than an Int counts") }
            // The first chunk's output stays valid: nothing but this allocation runs in between.
            result = try [Float](checkedCount: total, repeating: 0, "\(count) rows of \(output.columns) values")
        }
        result.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: start * output.columns).update(from: output.base, count: output.count) }
        start += n
    }
    return result
}

/// `mapRowsInChunks` over an array's rows.
func mapRowsInChunks(_ rows: [Float], width: Int, capacity: Int,
                     _ body: (Matrix) -> Matrix) throws(VAEGANError) -> [Float] {
    try rows.withUnsafeBufferPointer { (rows) throws(VAEGANError) in try mapRowsInChunks(rows, width: width, capacity: capacity, body) }
}
