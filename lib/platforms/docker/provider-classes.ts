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
  Volume: (require("@cdktf/provider-docker/lib/volume") as typeof import("@cdktf/provider-docker/lib/volume"))
    .Volume,
  DockerProvider: (
    require("@cdktf/provider-docker/lib/provider") as typeof import("@cdktf/provider-docker/lib/provider")
  ).DockerProvider,
}));

/** The random provider's classes (generated secrets), loaded on first use (see optionalPeer). */
export const random = optionalPeer("@cdktf/provider-random", () => ({
  Password: (
    require("@cdktf/provider-random/lib/password") as typeof import("@cdktf/provider-random/lib/password")
  ).Password,
  RandomProvider: (
    require("@cdktf/provider-random/lib/provider") as typeof import("@cdktf/provider-random/lib/provider")
  ).RandomProvider,
}));
