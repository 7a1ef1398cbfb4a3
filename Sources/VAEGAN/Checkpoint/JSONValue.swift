// A small strict JSON (RFC 8259) reader and string quoting, for safetensors headers.
// Written here instead of using JSONSerialization because the header rules need what it hides:
// duplicate keys are errors, integers stay distinct from fractions and from true/false
// (which Foundation bridges to NSNumber 1/0 on Linux), and nesting depth is bounded so a
// hostile file cannot overflow the stack.

/// A parsed JSON value.
enum JSONValue: Equatable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    /// A number written without fraction or exponent that fits in Int.
    case integer(Int)
    /// Any other number.
    case number(Double)
    case bool(Bool)
    case null

    /// Parses one JSON document; surrounding whitespace is allowed, anything else is not.
    /// Errors are `.format("<source>: <what> is not valid JSON: <problem> at byte <n>")`.
    init(parsing bytes: ArraySlice<UInt8>, what: String, source: String) throws(VAEGANError) {
        var parser = JSONParser(bytes: Array(bytes), what: what, source: source)
        self = try parser.parseDocument()
    }

    /// `text` as a JSON string literal, with quotes and escapes.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    let what: String
    let source: String
    var position = 0
    /// Far deeper than any safetensors header; shallow enough for any stack.
    let maximumDepth = 64

    init(bytes: [UInt8], what: String, source: String) {
        self.bytes = bytes
        self.what = what
        self.source = source
    }

    mutating func parseDocument() throws(VAEGANError) -> JSONValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw failure("unexpected text after the value") }
        return value
    }

    private mutating func parseValue(depth: Int) throws(VAEGANError) -> JSONValue {
        guard depth < maximumDepth else { throw failure("nested more than \(maximumDepth) levels") }
        skipWhitespace()
        guard position < bytes.count else { throw failure("unexpected end") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default:
            if consume("true") { return .bool(true) }
            if consume("false") { return .bool(false) }
            if consume("null") { return .null }
            throw failure("unexpected character")
        }
    }

    private mutating func parseObject(depth: Int) throws(VAEGANError) -> JSONValue {
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if consume("}") { return .object(members) }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw failure("expected a quoted key")
            }
            let keyPosition = position
            let key = try parseString()
            skipWhitespace()
            guard consume(":") else { throw failure("expected ':' after key \(JSONValue.quoted(key))") }
            let value = try parseValue(depth: depth + 1)
            guard members.updateValue(value, forKey: key) == nil else {
                position = keyPosition
                throw failure("key \(JSONValue.quoted(key)) appears twice")
            }
            skipWhitespace()
            if consume("}") { return .object(members) }
            guard consume(",") else { throw failure("expected ',' or '}'") }
        }
    }

    private mutating func parseArray(depth: Int) throws(VAEGANError) -> JSONValue {
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if consume("]") { return .array(elements) }
        while true {
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            if consume("]") { return .array(elements) }
            guard consume(",") else { throw failure("expected ',' or ']'") }
        }
    }

    private mutating func parseString() throws(VAEGANError) -> String {
        position += 1  // the opening quote
        var utf8: [UInt8] = []
        while true {
            guard position < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw failure("string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case 0..<0x20:
                throw failure("control character inside a string")
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(VAEGANError) {
        guard position < bytes.count else { throw failure("unterminated string") }
        let escape = bytes[position]
        position += 1
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F,
            UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A,
            UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]
        if let byte = simple[escape] {
            utf8.append(byte)
            return
        }
        guard escape == UInt8(ascii: "u") else { throw failure("unknown escape") }
        var code = try parseHexQuad()
        // Characters beyond the Basic Multilingual Plane arrive as a UTF-16 surrogate pair.
        if (0xD800..<0xDC00).contains(code) {
            guard consume("\\u") else { throw failure("unpaired surrogate") }
            let low = try parseHexQuad()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw failure("unpaired surrogate") }
        utf8 += Array(String(Character(scalar)).utf8)
    }

    private mutating func parseHexQuad() throws(VAEGANError) -> UInt32 {
        guard position + 4 <= bytes.count,
            let value = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16)
        else { throw failure("bad \\u escape") }
        position += 4
        return value
    }

    private mutating func parseNumber() throws(VAEGANError) -> JSONValue {
        let start = position
        var isInteger = true
        _ = consume("-")
        let digitsStart = position
        let digitCount = consumeDigits()
        guard digitCount > 0 else { throw failure("bad number") }
        // JSON forbids leading zeros such as 012.
        guard digitCount == 1 || bytes[digitsStart] != UInt8(ascii: "0") else {
            throw failure("number with a leading zero")
        }
        if consume(".") {
            isInteger = false
            guard consumeDigits() > 0 else { throw failure("bad number") }
        }
        if consume("e") || consume("E") {
            isInteger = false
            if !consume("+") { _ = consume("-") }
            guard consumeDigits() > 0 else { throw failure("bad number") }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let integer = Int(text) { return .integer(integer) }
        guard let number = Double(text) else { throw failure("bad number") }
        return .number(number)
    }

    private mutating func consumeDigits() -> Int {
        let start = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            position += 1
        }
        return position - start
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) {
            position += 1
        }
    }

    private mutating func consume(_ literal: String) -> Bool {
        let literalBytes = Array(literal.utf8)
        guard bytes[position...].starts(with: literalBytes) else { return false }
        position += literalBytes.count
        return true
    }

    private func failure(_ problem: String) -> VAEGANError {
        .format("\(source): \(what) is not valid JSON: \(problem) at byte \(position)")
    }
}
