// Each weapp suite builds the mini-program with the Taro CLI (about 10 s a build, longer on a busy
// machine) unless an identical build is already in .taro-test/. Jest ignores a project-level
// testTimeout when several projects are configured, so it is set here.
jest.setTimeout(180_000)
