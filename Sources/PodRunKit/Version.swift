public let podrunVersion = "0.1.0"
