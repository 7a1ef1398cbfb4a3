// --data: a built-in data set by name, or a user's .npy file; --binarize for likelihoods on
// binarized images.
import ArgumentParser
import VAEGAN

struct DataOptions: ParsableArguments {
    @Option(help: "fashion-mnist, mnist, or the path of a .npy file (rows = examples; uint8, or float32 in [0, 1]).")
    var data = "fashion-mnist"
    @Flag(help: "Binarize the images stochastically (each pixel 1 with probability = intensity), as binarized-MNIST likelihoods are reported: training batches are drawn afresh each time (dynamic binarization), the test set once with a fixed seed.")
    var binarize = false

    /// The built-in data set named by --data, if it names one.
    var builtIn: BuiltInDataset? { BuiltInDataset(rawValue: data) }

    /// Train and test splits; a .npy file has its last 10% held out as the test set. With
    /// --binarize the test set is binarized here (one fixed draw) and the training set stays
    /// as stored, for a loader that binarizes each batch (`loader(for:)`).
    func load() throws(VAEGANError) -> (train: ImageDataset, test: ImageDataset) {
        let (train, test) = try loadAsStored()
        return (train, binarize ? try test.binarized(seed: 2) : test)
    }

    /// Batches of the training set, dynamically binarized with --binarize.
    func loader(for train: ImageDataset, batchSize: Int, seed: UInt64) throws(VAEGANError) -> BatchLoader {
        try BatchLoader(train, batchSize: batchSize, seed: seed, binarize: binarize)
    }

    private func loadAsStored() throws(VAEGANError) -> (train: ImageDataset, test: ImageDataset) {
        if let builtIn { return try builtIn.load() }
        guard data.hasSuffix(".npy") else {
            throw .invalidArgument("--data must be fashion-mnist, mnist or a .npy file, not '\(data)'")
        }
        return try ImageDataset(npyFile: data).splitHoldingOut(0.1)
    }
}
