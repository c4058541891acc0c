import type { PropsWithChildren } from 'react'
import './app.scss'

/** App shell: pages render themselves; state lives in src/store. */
function App({ children }: PropsWithChildren) { return children }
export default App
