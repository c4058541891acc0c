/** Builds the H5 app in production mode (the dev H5 build is broken without --watch) into outDir. */
import { taroBuild } from '../../support/taro-build'

export async function buildH5(outDir: string, env: Record<string, string>): Promise<void> {
  await taroBuild({ type: 'h5', env: { ...env, TARO_OUTPUT_ROOT: outDir } })
}
