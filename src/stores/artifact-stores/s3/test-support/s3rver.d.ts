// The slice of s3rver's API the tests use (the package ships no types); s3rver-server.ts types the instance.
declare module "s3rver" {
  const S3rver: new (options: Record<string, unknown>) => unknown;
  export default S3rver;
}
