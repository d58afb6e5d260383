import { mount } from 'svelte';
import App from './ui/App.svelte';
import JoinWorker from './ui/JoinWorker.svelte';
import { readJobLink, readJoinLink } from './lib/config/join-link';
import './ui/app.css';

// A join link (`#join=<server>&job=<id>`) makes this tab a worker for a job coordinated elsewhere; anything else is the tuner's page.
const join = readJoinLink(location.hash);
const target = document.getElementById('app')!;
if (join) mount(JoinWorker, { target });
else mount(App, { target });
// Turning a tab into a worker, or back, is a different page: start it afresh.
addEventListener('hashchange', () => {
  if (Boolean(readJoinLink(location.hash)) !== Boolean(join) || readJobLink('coordinate', location.hash)) location.reload();
});
