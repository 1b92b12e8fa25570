@testable import OdometerHTTP
import OdometerConfig
import Testing

@Suite struct AdminHTTPSettingsTests {
    func settings(_ listen: String, token: String?) -> HTTPSettings {
        var settings = HTTPSettings()
        settings.listen = listen
        settings.token = token
        return settings
    }

    @Test func loopbackListenersNeedNoToken() throws {
        for listen in ["127.0.0.1:8080", "127.4.5.6:1", "[::1]:8080", "localhost:9000"] {
            let checked = try AdminHTTPSettings(settings(listen, token: nil))
            #expect(checked.listen.isLoopback, "\(listen)")
            #expect(checked.token == nil)
        }
    }

    @Test func aListenerOthersCanReachRefusesToStartWithoutAToken() throws {
        for listen in ["0.0.0.0:8080", "[::]:8080", "10.1.2.3:8080", "odometer.internal:8080", "128.0.0.1:80"] {
            #expect(throws: HTTPConfigurationError(description:
                "config: `http.token` is required when `http.listen` (\(listen)) is not a loopback address: "
                    + "set `http.token` (e.g. \"${ODOMETER_ADMIN_TOKEN}\"), or listen on 127.0.0.1")) {
                try AdminHTTPSettings(settings(listen, token: nil))
            }
            #expect(try AdminHTTPSettings(settings(listen, token: "t0ken")).listen.isLoopback == false)
        }
    }

    @Test func theAddressSplitsIntoHostAndPort() throws {
        #expect(try ListenAddress("[::1]:8080") == ListenAddress("::1:8080"))
        let address = try ListenAddress("0.0.0.0:9464")
        #expect(address.host == "0.0.0.0")
        #expect(address.port == 9464)
        #expect(throws: HTTPConfigurationError.self) { try ListenAddress("8080") }
    }

    @Test func tokensCompareByEveryByte() {
        let token = Array("s3cret-token".utf8)
        #expect(ConstantTime.equal(token, token))
        #expect(!ConstantTime.equal(Array("s3cret-tokeN".utf8), token))
        #expect(!ConstantTime.equal(Array("s3cret-token-".utf8), token))
        #expect(!ConstantTime.equal(Array("s3cret".utf8), token))
        #expect(!ConstantTime.equal([], token))
    }
}
