// The header of a .npy file: the Python dict literal that follows the preamble, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (60000, 784), }
// parsed by a small recursive-descent reader (strings, True/False, tuples of ints) and written
// back in numpy's own spelling. Anything numpy would not write here is rejected by name.
// Spec: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html

/// The three fields of a .npy header.
struct NPYHeader: Equatable {
    /// numpy's dtype string, e.g. "<f4" or "|u1".
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    init(descr: String, fortranOrder: Bool, shape: [Int]) {
        self.descr = descr
        self.fortranOrder = fortranOrder
        self.shape = shape
    }

    /// Parses the dict literal; `source` names the file in errors.
    init(parsing text: String, source: String) throws(VAEGANError) {
        var parser = DictLiteralParser(text: Array(text.utf8), source: source)
        let fields = try parser.parseDict()
        let expectedKeys: Set = ["descr", "fortran_order", "shape"]
        guard Set(fields.keys) == expectedKeys else {
            throw .format(
                "\(source): bad .npy header: keys are \(fields.keys.sorted()), expected descr, fortran_order and shape")
        }
        guard case .string(let descr)? = fields["descr"] else {
            throw .format("\(source): bad .npy header: 'descr' is not a string (structured dtypes are not supported)")
        }
        guard case .bool(let fortranOrder)? = fields["fortran_order"] else {
            throw .format("\(source): bad .npy header: 'fortran_order' is not True or False")
        }
        guard case .integers(let shape)? = fields["shape"] else {
            throw .format("\(source): bad .npy header: 'shape' is not a tuple of integers")
        }
        self.init(descr: descr, fortranOrder: fortranOrder, shape: shape)
    }

    /// numpy's own spelling of the dict, without padding.
    var literal: String {
        let dimensions = shape.map(String.init).joined(separator: ", ")
        let tuple = shape.count == 1 ? "(\(dimensions),)" : "(\(dimensions))"
        return "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(tuple), }"
    }
}

/// A value in the header dict.
private enum DictLiteralValue {
    case string(String)
    case bool(Bool)
    case integers([Int])
}

/// Reads `{ 'key': value, … }` where each value is a quoted string, True/False or a tuple of
/// non-negative integers (Python 2 wrote them with an `L` suffix, which is accepted).
private struct DictLiteralParser {
    let text: [UInt8]
    let source: String
    var position = 0

    init(text: [UInt8], source: String) {
        self.text = text
        self.source = source
    }

    mutating func parseDict() throws(VAEGANError) -> [String: DictLiteralValue] {
        try expect("{")
        var fields: [String: DictLiteralValue] = [:]
        while true {
            skipSpaces()
            if peek() == "}" { break }
            let key = try parseString()
            try expect(":")
            guard fields.updateValue(try parseValue(), forKey: key) == nil else {
                throw failure("key '\(key)' appears twice")
            }
            skipSpaces()
            if peek() == "," { position += 1 } else if peek() != "}" {
                throw failure("expected ',' or '}' at offset \(position)")
            }
        }
        position += 1
        skipSpaces()
        guard position == text.count else { throw failure("unexpected text after the dict at offset \(position)") }
        return fields
    }

    private mutating func parseValue() throws(VAEGANError) -> DictLiteralValue {
        skipSpaces()
        switch peek() {
        case "'", "\"":
            return .string(try parseString())
        case "(":
            return .integers(try parseTuple())
        case "[":
            throw failure("list values (structured dtypes) are not supported")
        default:
            if consume(word: "True") { return .bool(true) }
            if consume(word: "False") { return .bool(false) }
            throw failure("unexpected value at offset \(position)")
        }
    }

    private mutating func parseString() throws(VAEGANError) -> String {
        skipSpaces()
        guard let quote = peek(), quote == "'" || quote == "\"" else {
            throw failure("expected a quoted string at offset \(position)")
        }
        let quoteByte = text[position]
        position += 1
        let start = position
        // Header strings are dtype codes and key names: no escapes to decode.
        while position < text.count, text[position] != quoteByte {
            if text[position] == UInt8(ascii: "\\") { throw failure("escaped strings are not supported") }
            position += 1
        }
        guard position < text.count else { throw failure("unterminated string") }
        position += 1
        return String(decoding: text[start..<position - 1], as: UTF8.self)
    }

    private mutating func parseTuple() throws(VAEGANError) -> [Int] {
        try expect("(")
        var values: [Int] = []
        while true {
            skipSpaces()
            if peek() == ")" { break }
            values.append(try parseInteger())
            skipSpaces()
            if peek() == "L" { position += 1; skipSpaces() }
            if peek() == "," { position += 1 } else if peek() != ")" {
                throw failure("expected ',' or ')' in the shape at offset \(position)")
            }
        }
        position += 1
        return values
    }

    private mutating func parseInteger() throws(VAEGANError) -> Int {
        let start = position
        while position < text.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[position]) {
            position += 1
        }
        guard position > start else { throw failure("expected a non-negative integer at offset \(start)") }
        guard let value = Int(String(decoding: text[start..<position], as: UTF8.self)) else {
            throw failure("shape entry at offset \(start) is too large")
        }
        return value
    }

    private func peek() -> Character? {
        position < text.count ? Character(Unicode.Scalar(text[position])) : nil
    }

    private mutating func skipSpaces() {
        while position < text.count, text[position] == 0x20 || text[position] == 0x0A || text[position] == 0x09 {
            position += 1
        }
    }

    private mutating func expect(_ character: Character) throws(VAEGANError) {
        skipSpaces()
        guard peek() == character else { throw failure("expected '\(character)' at offset \(position)") }
        position += 1
    }

    private mutating func consume(word: String) -> Bool {
        let bytes = Array(word.utf8)
        guard text[position...].starts(with: bytes) else { return false }
        position += bytes.count
        return true
    }

    private func failure(_ problem: String) -> VAEGANError {
        .format("\(source): bad .npy header: \(problem)")
    }
}
