// gzip (and bare zlib) streams through zlib: reading files that may or may not be compressed,
// and compressing bytes for the small test/tool writers. PNG's zlib compression is in PNG.swift.
import CZlib

/// Reads files that may be gzip-compressed, and inflates or deflates gzip data in memory.
///
/// ```swift
/// let bytes = try Gzip.readFileInflatingIfNeeded(atPath: "train-images-idx3-ubyte.gz")
/// ```
public enum Gzip {
    /// The first two bytes of every gzip member (RFC 1952).
    static let magic: [UInt8] = [0x1f, 0x8b]

    /// The contents of the file at `path`, inflated if the file starts with the gzip magic
    /// bytes `1f 8b` and returned as they are otherwise.
    ///
    /// - Throws: `.io` when the file cannot be read; `.format("<path>: corrupt gzip stream …")`
    ///   when the compressed data is damaged or cut short; `.outOfMemory("<path>: …")` when the
    ///   file or what it inflates to does not fit in the memory to be had.
    public static func readFileInflatingIfNeeded(atPath path: String) throws(VAEGANError) -> [UInt8] {
        let bytes = try readFileBytes(atPath: path)
        guard isCompressed(bytes) else { return bytes }
        return try decompress(bytes, format: .gzip, source: path)
    }

    /// Whether `bytes` start like a gzip stream.
    public static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: magic)
    }

    /// `bytes` compressed as one gzip member with a zeroed timestamp, so equal input gives
    /// equal output.
    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(
            &stream, Z_BEST_COMPRESSION, Z_DEFLATED, gzipWindowBits, 8, Z_DEFAULT_STRATEGY,
            zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        // deflateInit2 fails only for bad parameters (a bug here) or when memory runs out.
        precondition(status == Z_OK, "zlib deflateInit2 failed with status \(status)")
        defer { deflateEnd(&stream) }

        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
        let finish = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = destination.baseAddress
                stream.avail_out = uInt(destination.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        // deflateBound guarantees room for the whole stream, so one Z_FINISH call completes it.
        precondition(finish == Z_STREAM_END, "zlib deflate did not finish (status \(finish))")
        output.removeLast(Int(stream.avail_out))
        return output
    }

    /// Which wrapper zlib should expect around the deflate data.
    enum StreamFormat {
        /// RFC 1952 gzip: header, deflate data, CRC-32 and length. One or more members.
        case gzip
        /// RFC 1950 zlib: 2-byte header, deflate data, Adler-32. PNG's IDAT uses it.
        case zlib
    }

    /// 15 bits of window (zlib's maximum) plus 16, which tells zlib to expect a gzip wrapper.
    private static let gzipWindowBits = 16 + MAX_WBITS

    /// The most bytes a stream may inflate to (2 GiB): a few hundred bytes of deflate data can
    /// claim gigabytes, so a larger output is refused as a format error before it is allocated.
    public static let maximumInflatedBytes = 1 << 31

    /// Inflates a whole stream held in memory, to at most `limit` bytes.
    ///
    /// Concatenated gzip members are joined, as `gzip -d` does. `source` names the file in errors;
    /// output that outgrows the memory to be had is `.outOfMemory`, as more than `limit` is `.format`.
    static func decompress(
        _ input: [UInt8], format: StreamFormat, source: String, limit: Int = maximumInflatedBytes
    ) throws(VAEGANError) -> [UInt8] {
        let formatName = format == .gzip ? "gzip" : "zlib"
        guard !input.isEmpty else {
            throw .format("\(source): corrupt \(formatName) stream: it is empty")
        }
        var stream = z_stream()
        let windowBits = format == .gzip ? gzipWindowBits : MAX_WBITS
        guard inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else {
            throw .outOfMemory("\(source): zlib could not allocate its inflate state")
        }
        defer { inflateEnd(&stream) }

        var output = try [UInt8](
            checkedCount: min(expectedInflatedSize(of: input, format: format), limit + 1), repeating: 0,
            "\(source): inflating")
        var consumed = 0
        var produced = 0
        while true {
            if produced == output.count {
                // Each step (doubling) is checked: under the limit, a stream may still inflate to
                // more than the machine has.
                let grown = output.count + min(max(output.count, 1 << 16), limit + 1 - output.count)
                try output.reserveCapacity(checked: grown, "\(source): inflating")
                output.append(contentsOf: repeatElement(0, count: grown - output.count))
            }
            var status: Int32 = Z_OK
            input.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { destination in
                    stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + consumed)
                    stream.avail_in = uInt(min(source.count - consumed, Int(UInt32.max)))
                    stream.next_out = destination.baseAddress! + produced
                    stream.avail_out = uInt(min(destination.count - produced, Int(UInt32.max)))
                    let inputBefore = stream.avail_in
                    let outputBefore = stream.avail_out
                    status = inflate(&stream, Z_NO_FLUSH)
                    consumed += Int(inputBefore - stream.avail_in)
                    produced += Int(outputBefore - stream.avail_out)
                }
            }
            if produced > limit { // the buffer never holds more than limit + 1 bytes
                throw .format("\(source): \(formatName) stream inflates to more than \(limit) bytes, the limit")
            }
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                if consumed == input.count {
                    output.removeLast(output.count - produced)
                    return output
                }
                if format == .gzip && input[consumed...].starts(with: magic) {
                    inflateReset(&stream)
                    continue
                }
                throw .format(
                    "\(source): corrupt \(formatName) stream: \(input.count - consumed) stray bytes after its end")
            case Z_BUF_ERROR where consumed == input.count:
                // No progress with all input used: the stream stops before its end marker.
                throw .format("\(source): corrupt \(formatName) stream: truncated (input ends before the stream does)")
            case Z_BUF_ERROR:
                continue
            case Z_MEM_ERROR:
                throw .outOfMemory("\(source): zlib ran out of memory while inflating")
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw .format("\(source): corrupt \(formatName) stream: \(reason)")
            }
        }
    }

    /// A first guess at the inflated size, so most files inflate without growing the buffer.
    /// gzip stores the size modulo 2³² in its last four bytes; trust it only when plausible.
    private static func expectedInflatedSize(of input: [UInt8], format: StreamFormat) -> Int {
        let fallback = max(input.count * 4, 1 << 16)
        guard format == .gzip, input.count >= 18 else { return fallback }
        let tail = input.suffix(4)
        let stored = tail.reversed().reduce(0) { ($0 << 8) | Int($1) }
        // deflate cannot expand data more than about 1032:1. One spare byte, so the output never
        // fills before inflate has read the trailer (growing a full buffer would copy it whole).
        return stored > 0 && stored <= input.count * 1100 ? stored + 1 : fallback
    }
}
