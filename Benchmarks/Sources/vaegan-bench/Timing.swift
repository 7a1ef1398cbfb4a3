// Timing: a monotonic clock, repeated runs, and their median and spread.
import Foundation

/// Nanoseconds on the monotonic clock.
func now() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// Seconds per call of `body`: median, 10th and 90th percentiles over `samples` timings, each
/// of `repeats` calls, after `warmup` calls.
struct Timing {
    var median: Double
    var p10: Double
    var p90: Double

    static func measure(samples: Int = 21, repeats: Int = 1, warmup: Int = 3, _ body: () -> Void) -> Timing {
        for _ in 0..<warmup { body() }
        var times: [Double] = []
        for _ in 0..<samples {
            let start = now()
            for _ in 0..<repeats { body() }
            times.append(Double(now() - start) / 1e9 / Double(repeats))
        }
        times.sort()
        return Timing(median: times[times.count / 2], p10: times[times.count / 10],
                      p90: times[(times.count * 9) / 10])
    }
}

/// Repeats to make one timing sample last about `target` seconds.
func repeatsFor(target: Double = 2e-3, _ body: () -> Void) -> Int {
    let start = now()
    body()
    let once = max(Double(now() - start) / 1e9, 1e-8)
    return max(1, Int(target / once))
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

func padLeft(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}
