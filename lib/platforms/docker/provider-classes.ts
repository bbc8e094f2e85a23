import { optionalPeer } from "../optional-peer";

/** The Docker provider's classes, loaded when the platform is first used (see optionalPeer). */
export const docker = optionalPeer("@cdktf/provider-docker", () => ({
  Container: (
    require("@cdktf/provider-docker/lib/container") as typeof import("@cdktf/provider-docker/lib/container")
  ).Container,
  Image: (require("@cdktf/provider-docker/lib/image") as typeof import("@cdktf/provider-docker/lib/image"))
    .Image,
  Network: (
    require("@cdktf/provider-docker/lib/network") as typeof import("@cdktf/provider-docker/lib/network")
  ).Network,
  DockerProvider: (
    require("@cdktf/provider-docker/lib/provider") as typeof import("@cdktf/provider-docker/lib/provider")
  ).DockerProvider,
}));
