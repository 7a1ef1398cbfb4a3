// SampleFeatures+Ranks: the sample scores of a data-parallel run split across its ranks. Each
// rank classifies its contiguous share of the samples (BatchShard's rows of them); the shares
// are put together on every rank with the one collective a Communicator has, a sum: each rank
// writes its feature rows into a zeroed buffer of all the rows and the ranks sum it (an
// all-gather; adding zeros is exact, so the result is bit for bit the rows themselves), and the
// label histograms add up. The score itself (FID, precision and recall) then runs on the whole
// set, as in one process.

extension BatchShard {
    /// A zeroed buffer of `totalRows` rows of `width` with this shard's rows of them copied in
    /// at their place: what each rank adds to the sum that gathers the rows of all ranks.
    ///
    /// - Throws: `.invalidArgument` when `rows` are not this shard's share of `totalRows`;
    ///   `.outOfMemory` when the buffer cannot be allocated.
    func spread(_ rows: [Float], width: Int, totalRows: Int) throws(VAEGANError) -> HeapBuffer<Float> {
        let range = range(ofRows: totalRows)
        try require(width > 0 && rows.count == range.count * width,
                    "rank \(index) of \(count): \(rows.count) values are not its \(range.count) rows of \(width)")
        let (total, overflow) = totalRows.multipliedReportingOverflow(by: width)
        guard !overflow else { throw .outOfMemory("\(totalRows) rows of \(width) values overflow") }
        let whole = try HeapBuffer<Float>(zeroed: total)
        rows.withUnsafeBufferPointer { share in
            if let base = share.baseAddress { (whole.pointer + range.lowerBound * width).update(from: base, count: share.count) }
        }
        return whole
    }
}

extension SampleFeatures {
    /// The features of all ranks' samples, on every rank, from this rank's: its shard's rows of
    /// `totalRows` samples. A blocking collective: every rank of `communicator` calls it.
    ///
    /// - Throws: `.invalidArgument` when this rank holds another number of rows than its share;
    ///   `.outOfMemory`.
    func combined(over communicator: any Communicator, totalRows: Int) throws(VAEGANError) -> SampleFeatures {
        let shard = BatchShard(of: communicator)
        let whole = try shard.spread(features, width: width, totalRows: totalRows)
        communicator.sum(whole.pointer, count: whole.count)
        // Counts below 2^53 are exact in double.
        var histogram = coverage.histogram.map(Double.init)
        histogram.withUnsafeMutableBufferPointer { communicator.sum($0.baseAddress!, count: $0.count) }
        return SampleFeatures(features: Array(whole.buffer), width: width,
                              coverage: ModeCoverage(histogram: histogram.map { Int($0) }))
    }
}
