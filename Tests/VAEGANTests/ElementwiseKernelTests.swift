// Element-wise helpers (elementwise.c) and the error plumbing (error.c).

import CVAEGAN
import Foundation
import Testing

struct ElementwiseKernelTests {
    @Test(arguments: KernelCheck.elementwiseSizes)
    func fillWritesEveryElement(n: Int) {
        for value: Float in [0, -0.0, 1.5, -3, KernelCheck.subnormal, .infinity] {
            var x = [Float](repeating: .nan, count: n + 1)  // one guard element past n
            vg_fill(&x, value, Int64(n))
            var expected = [Float](repeating: value, count: n)
            expected.append(.nan)
            #expect(KernelCheck.firstBitMismatch(x, expected) == nil, "value \(value), or wrote past n")
        }
    }

    /// Negative zero is a value like any other (vg_fill's memset shortcut is for +0 only).
    @Test func fillKeepsNegativeZero() {
        var x = [Float](repeating: 1, count: 5)
        vg_fill(&x, -0.0, 5)
        #expect(x.allSatisfy { $0.bitPattern == Float(-0.0).bitPattern })
    }

    @Test(arguments: KernelCheck.elementwiseSizes)
    func axpyAndScaleMatchFloatArithmetic(n: Int) {
        var random = KernelRandom(seed: 0xA1 &+ UInt64(n))
        var x = random.uniform(n, -2, 2)
        random.sprinkle(&x, with: [0, -0.0, KernelCheck.subnormal, 3e38, -1e-30])
        let y0 = random.uniform(n, -2, 2)
        for a: Float in [0, 1, -0.5, 3.25, 1e-20] {
            var y = y0, s = x
            vg_axpy(&y, a, x, Int64(n))
            vg_scale(&s, a, Int64(n))
            var axpy = y0, scaled = x
            for i in 0..<n {
                axpy[i] += a * x[i]  // Swift does not fuse a·x + y
                scaled[i] *= a
            }
            #expect(KernelCheck.firstBitMismatch(y, axpy) == nil, "axpy a=\(a)")
            #expect(KernelCheck.firstBitMismatch(s, scaled) == nil, "scale a=\(a)")
        }
    }

    /// Σ x² in double against a Double loop; sizes 0…7 cover the four-way unrolled tail.
    @Test func sumSquares() {
        var random = KernelRandom(seed: 0x55)
        for n in Array(0...9) + [15, 16, 17, 1000, 1 << 20] {
            var x = random.uniform(n, -3, 3)
            random.sprinkle(&x, with: [0, -0.0, KernelCheck.subnormal, 1e19, -1e-19])
            var exact = 0.0
            for v in x { exact += Double(v) * Double(v) }
            let got = vg_sum_squares(x, Int64(n))
            #expect(KernelCheck.isApproximatelyEqual(got, exact, relativeTolerance: Double(n + 1) * 0x1p-52), "n=\(n)")
        }
        #expect(vg_sum_squares([3, 4], 2) == 25)
        #expect(vg_sum_squares([0x1p100, 0x1p100], 2) == 0x1p201)  // no float overflow: squares in double
        #expect(vg_sum_squares([.nan, 1], 2).isNaN)
    }

    @Test func countNonFinite() {
        let values: [Float] = [
            0, -0.0, 1, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude,
            .leastNormalMagnitude, KernelCheck.subnormal, .nan, -.nan, .signalingNaN, .infinity, -.infinity,
            Float(bitPattern: 0x7FC0_1234), Float(bitPattern: 0xFF80_0001),
        ]
        #expect(vg_count_non_finite(values, Int64(values.count)) == 7)
        #expect(vg_count_non_finite(values, 0) == 0)
        // Every position of a vector-sized run.
        for n in [1, 15, 16, 17, 33, 1000] {
            var x = [Float](repeating: 1, count: n)
            var random = KernelRandom(seed: UInt64(n))
            var expected = 0
            for i in 0..<n where random.index(below: 3) == 0 {
                x[i] = [Float.nan, .infinity, -.infinity][random.index(below: 3)]
                expected += 1
            }
            #expect(vg_count_non_finite(x, Int64(n)) == Int64(expected), "n=\(n)")
        }
    }

    @Test func bytesToUnitFloats() {
        let bytes = (0...255).map { UInt8($0) }
        var y = [Float](repeating: .nan, count: 256)
        vg_bytes_to_unit_floats(&y, bytes, 256)
        #expect(y[0] == 0 && y[0].sign == .plus)
        #expect(y[255] == 1)
        for i in 1..<256 {
            #expect(y[i] > y[i - 1], "monotonic at \(i)")
            // Divided, not multiplied by fl(1/255): exactly Float(i) / 255, as PyTorch computes it.
            #expect(y[i] == Float(i) / 255, "\(i)/255")
        }
        var untouched: [Float] = [7]
        vg_bytes_to_unit_floats(&untouched, [200], 0)
        #expect(untouched == [7])
    }
}

/// vg_error_set / vg_last_error_message / vg_status_string and thread-local error state.
struct ErrorPlumbingTests {
    static let statuses: [vg_status] = [
        VG_OK, VG_ERROR_INVALID_ARGUMENT, VG_ERROR_SHAPE_MISMATCH, VG_ERROR_NON_FINITE, VG_ERROR_OUT_OF_MEMORY,
        VG_ERROR_IO, VG_ERROR_FORMAT, VG_ERROR_WRONG_MODEL, VG_ERROR_STATE, VG_ERROR_INTERNAL,
        VG_CANCELLED,
    ]

    @Test func statusValuesAreTheABI() {
        #expect(Self.statuses.map(\.rawValue) == [0, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10])
    }

    @Test func everyStatusHasItsOwnText() {
        var texts = Set<String>()
        for status in Self.statuses {
            let pointer: UnsafePointer<CChar>? = vg_status_string(status)
            #expect(pointer != nil)
            let text = String(cString: vg_status_string(status))
            #expect(!text.isEmpty && text != "unknown status", "\(status.rawValue)")
            texts.insert(text)
        }
        #expect(texts.count == Self.statuses.count)
        #expect(String(cString: vg_status_string(VG_OK)) == "success")
        // Values outside the enum still get text.
        for raw: Int32 in [1, -11, -1000, .min, .max] {
            #expect(String(cString: vg_status_string(vg_status(rawValue: raw))) == "unknown status")
        }
    }

    @Test func setAndClear() {
        for status in Self.statuses {
            let message = "test message for \(status.rawValue): ünïcødé"
            #expect(vg_error_set(status, message) == status)
            #expect(String(cString: vg_last_error_message()) == message)
        }
        vg_error_clear()
        #expect(String(cString: vg_last_error_message()) == "")
        #expect(vg_error_set(VG_ERROR_IO, nil) == VG_ERROR_IO)  // NULL message reads as ""
        #expect(String(cString: vg_last_error_message()) == "")
        // Longer than the 1 KiB buffer: truncated, still terminated.
        let long = String(repeating: "x", count: 5000)
        _ = vg_error_set(VG_ERROR_FORMAT, long)
        let stored = String(cString: vg_last_error_message())
        #expect(stored.count == 1023 && long.hasPrefix(stored))
        // A message containing % is stored verbatim (not a format string).
        _ = vg_error_set(VG_ERROR_FORMAT, "100% %s %n")
        #expect(String(cString: vg_last_error_message()) == "100% %s %n")
        vg_error_clear()
    }

    /// The message is per thread: another thread sees its own, and setting it there leaves
    /// this thread's alone.
    @Test func messageIsPerThread() {
        _ = vg_error_set(VG_ERROR_STATE, "main thread message")
        final class Box: @unchecked Sendable {
            var before = "", after = ""
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.before = String(cString: vg_last_error_message())
            _ = vg_error_set(VG_ERROR_IO, "other thread message")
            box.after = String(cString: vg_last_error_message())
            done.signal()
        }
        thread.start()
        done.wait()
        #expect(box.before == "", "a new thread starts with no message")
        #expect(box.after == "other thread message")
        #expect(String(cString: vg_last_error_message()) == "main thread message")
        vg_error_clear()
    }

    @Test func version() {
        #expect(String(cString: vg_version()) == "\(VG_VERSION_MAJOR).\(VG_VERSION_MINOR).\(VG_VERSION_PATCH)")
    }
}
