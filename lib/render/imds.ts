/**
 * The shell function scripts on EC2 instances use to read the instance metadata with an IMDSv2
 * session token (the platform requires IMDSv2): `imds PATH` prints one value, or fails.
 */
export const IMDS_FUNCTION: readonly string[] = [
  "# imds PATH: one instance-metadata value, with an IMDSv2 session token.",
  "imds() {",
  "  local token",
  '  token=$(curl -fsS -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" --max-time 2 \\',
  '    "http://169.254.169.254/latest/api/token") || return 1',
  '  curl -fsS -H "X-aws-ec2-metadata-token: $token" --max-time 2 \\',
  '    "http://169.254.169.254/latest/meta-data/$1"',
  "}",
];
