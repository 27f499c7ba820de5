// Fails early, with a clear message, when the Node that npm scripts found cannot run the project.
// npm puts node_modules/.bin first on PATH, so on linux-x64/arm64 this is the pinned Node 24 from npm.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `dctwin needs Node 22.18+ or 24 (it runs TypeScript natively); this is Node ${process.versions.node}.\n` +
      "On linux-x64/arm64 `npm install` provides Node 24 in node_modules/.bin; elsewhere install Node 24 LTS.",
  );
  process.exit(1);
}
