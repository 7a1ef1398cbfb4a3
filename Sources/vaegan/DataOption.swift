// --data: a built-in data set by name, or a user's .npy file.
import ArgumentParser
import VAEGAN

struct DataOptions: ParsableArguments {
    @Option(help: "fashion-mnist, mnist, or the path of a .npy file (rows = examples; uint8, or float32 in [0, 1]).")
    var data = "fashion-mnist"

    /// Train and test splits; a .npy file has its last 10% held out as the test set.
    func load() throws(VAEGANError) -> (train: ImageDataset, test: ImageDataset) {
        if let builtIn = BuiltInDataset(rawValue: data) { return try builtIn.load() }
        guard data.hasSuffix(".npy") else {
            throw .invalidArgument("--data must be fashion-mnist, mnist or a .npy file, not '\(data)'")
        }
        return try ImageDataset(npyFile: data).splitHoldingOut(0.1)
    }
}
