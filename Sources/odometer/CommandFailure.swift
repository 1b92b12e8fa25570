import ArgumentParser
import Foundation
import OdometerService

/// Turns a failure into the one-line message and exit code of DESIGN §4.
enum CommandFailure {
    static func reporting(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as OdometerFailure {
            FileHandle.standardError.write(Data("odometer: \(failure.description)\n".utf8))
            throw ExitCode(failure.exitCode)
        } catch let exit as ExitCode {
            throw exit
        } catch let validation as ValidationError {
            throw validation
        } catch {
            let failure = OdometerFailure.classify(error)
            FileHandle.standardError.write(Data("odometer: \(failure.description)\n".utf8))
            throw ExitCode(failure.exitCode)
        }
    }
}
