// vaegan plot-likelihood: test −log p(x) against minutes of training for one or more runs, from
// the test_nll figures `vaegan train --likelihood-every` wrote into each run's metrics.csv.
import ArgumentParser
import Foundation
import VAEGAN

struct PlotLikelihood: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot-likelihood",
        abstract: "Draw test −log p(x) against minutes of training for runs trained with --likelihood-every.")

    @Argument(help: "Run folders (each with a metrics.csv); a folder may be given as PATH=LABEL.") var runs: [String]
    @Option(help: "The PNG to write.") var out = "likelihood.png"
    @Option(help: "Draw a level line at this many nats (a goal or a published figure).") var reference: Double?

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("give at least one run folder") }
    }

    func run() throws {
        try runReportingErrors { () throws(VAEGANError) in
            var series: [LinePlot.Series] = []
            for run in runs {
                let parts = run.split(separator: "=", maxSplits: 1).map(String.init)
                let folder = parts[0], label = parts.count > 1 ? parts[1] : (folder as NSString).lastPathComponent
                let records = MetricsLog.read(from: folder + "/metrics.csv")
                guard !records.isEmpty else { throw .io("\(folder)/metrics.csv: missing or empty") }
                var minutes = 0.0, points: [(x: Double, y: Double)] = []
                for record in records {
                    minutes += (record["seconds"] ?? 0) / 60
                    // Epochs without an estimate are blank (NaN) in metrics.csv.
                    if let nll = record["test_nll"], nll.isFinite { points.append((minutes, nll)) }
                }
                guard let last = points.last else {
                    throw .invalidArgument("\(folder): no test_nll in metrics.csv (train with --likelihood-every)")
                }
                print(String(format: "%@: %d points, last %.2f nats after %.1f minutes of training", label, points.count, last.y, last.x))
                series.append(LinePlot.Series(name: label, points: points))
            }
            if let reference {
                // The bitmap font is ASCII: the minus of −log is drawn as "-".
                let end = series.flatMap(\.points).map(\.x).max() ?? 1
                series.append(LinePlot.Series(name: String(format: "%.2f nats", reference), points: [(0, reference), (end, reference)]))
            }
            let plot = LinePlot(title: "test -log p(x), importance-weighted bound (nats)", series: series,
                                xLabel: "minutes of training")
            try plot.render().writePNG(to: out)
            print("wrote \(out)")
        }
    }
}
