// StepLogWriter: one line per step — epoch, step, the running mean loss and an FNV-1a hash of
// every weight (each part's parameters and state, bit for bit). A data-parallel run's ranks
// each write their own file, so a test can check that they hold identical weights after every
// step, and compare the losses with a single process's. A debugging aid: it writes every step.
import Foundation

/// Appends `epoch step loss hash` lines to a file.
public final class StepLogWriter: TrainingObserver {
    private let handle: FileHandle?
    private let stores: [ParameterStore]

    public init(path: String, model: any GenerativeModel) {
        FileManager.default.createFile(atPath: path, contents: nil)
        handle = FileHandle(forWritingAtPath: path)
        stores = model.parameterStores
    }

    deinit { try? handle?.close() }

    public func trainingDidFinishStep(_ step: Int, ofEpoch epoch: Int, runningLoss: Double) {
        let line = "\(epoch) \(step) \(String(format: "%.17g", runningLoss)) \(String(Self.hash(stores), radix: 16))\n"
        handle?.write(Data(line.utf8))
    }

    /// FNV-1a (64 bits) over the bytes of every store's values and state, in order.
    public static func hash(_ stores: [ParameterStore]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for store in stores {
            for tensor in [store.values, store.stateValues] {
                let bytes = UnsafeRawBufferPointer(start: tensor.pointer, count: tensor.count * MemoryLayout<Float>.size)
                for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            }
        }
        return hash
    }
}
