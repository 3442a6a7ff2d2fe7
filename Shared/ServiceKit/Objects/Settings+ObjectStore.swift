import Foundation

extension Settings {
    /// The object store the settings name: files under `folder`, or keys under `prefix/` in an S3-compatible bucket
    /// that several services may share.
    ///
    /// | variable | default |
    /// |---|---|
    /// | `S3_BUCKET` | unset: objects are files under `folder` |
    /// | `S3_ENDPOINT` | `https://s3.<region>.amazonaws.com`; any S3-compatible store's URL |
    /// | `S3_REGION` | `us-east-1` |
    /// | `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY` | required with a bucket |
    public func objectStore(folder: String, prefix: String) throws -> any ObjectStore {
        guard let bucket = optionalString("s3.bucket") else { return FolderObjectStore(folder: folder) }
        let region = string("s3.region", default: "us-east-1")
        let endpoint = try url("s3.endpoint", default: "https://s3.\(region).amazonaws.com", schemes: ["http", "https"])
        guard let accessKey = optionalString("s3.access.key.id"), let secret = optionalString("s3.secret.access.key", isSecret: true) else {
            throw ConfigurationError(variable: "S3_ACCESS_KEY_ID", expected: "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY with S3_BUCKET", value: "")
        }
        return S3ObjectStore(
            endpoint: endpoint, bucket: bucket, keyPrefix: prefix, region: region,
            credentials: SigV4.Credentials(accessKeyID: accessKey, secretAccessKey: secret))
    }
}
