import ArgumentParser
import Foundation
import OdometerService

/// Turns a failure into the one-line message and exit code of DESIGN §4.
enum CommandFailure {
    static func reporting(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as OdometerFailure {
            StandardError.write("odometer: \(failure.description)\n")
            throw ExitCode(failure.exitCode)
        } catch let exit as ExitCode {
            throw exit
        } catch let validation as ValidationError {
            throw validation
        } catch {
            let failure = OdometerFailure.classify(error)
            StandardError.write("odometer: \(failure.description)\n")
            throw ExitCode(failure.exitCode)
        }
    }
}
