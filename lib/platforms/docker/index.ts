export * from "./docker-host";
export * from "./docker-platform";
export { DockerSecret } from "./docker-secret";
export * from "./docker-segment";
