/// A value that writes its own JSON with ``JSONOutput``, byte for byte as `JSONEncoder.mayaGo` encodes it: for the
/// values of the hottest paths, where the encoder showed in a profile. Each has a test that holds it to the encoder.
public protocol WrittenJSON: Encodable {
    var json: [UInt8] { get }
}
