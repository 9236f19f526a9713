import { render } from 'preact';

import { App } from './app';

import './styles.css';
import './notice.css';

render(<App />, document.getElementById('app')!);
