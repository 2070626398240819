import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { GatewayContext, useGateway, usePhase } from './app-context';
import { GatewayClient, takeToken } from './gateway';
import { ChatPage } from './pages/chat';
import { OverviewPage } from './pages/overview';
import { LogsPage } from './pages/logs';
import { InspectorPage } from './pages/inspector';
import './styles.css';

const base = document.documentElement.dataset.openclawControlUiBasePath ?? '';

const PAGES = [
  { path: '/chat', label: 'Chat', view: () => <ChatPage /> },
  { path: '/overview', label: 'Overview', view: () => <OverviewPage /> },
  { path: '/logs', label: 'Logs', view: () => <LogsPage /> },
  { path: '/inspector', label: 'Inspector', view: () => <InspectorPage /> },
] as const;

const routeOf = (pathname: string): string => {
  const path = pathname.startsWith(base) ? pathname.slice(base.length) : pathname;
  return PAGES.find((p) => path === p.path || path.startsWith(`${p.path}/`))?.path ?? '/chat';
};

function navigate(path: string): void {
  history.pushState(null, '', `${base}${path}${location.hash}`);
  dispatchEvent(new PopStateEvent('popstate'));
}

function TokenForm() {
  const client = useGateway();
  const [value, setValue] = useState('');
  return (
    <form
      class="token-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) client.setToken(value.trim());
      }}
    >
      <label>
        Gateway token <input type="password" aria-label="Gateway token" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
      </label>
      <button type="submit">Connect</button>
    </form>
  );
}

function Shell() {
  const client = useGateway();
  const phase = usePhase();
  const [route, setRoute] = useState(routeOf(location.pathname));
  useEffect(() => {
    const onPop = () => setRoute(routeOf(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const page = PAGES.find((p) => p.path === route) ?? PAGES[0];
  return (
    <div class="shell">
      <nav class="sidebar">
        <div class="brand">OpenClaw</div>
        {PAGES.map((p) => (
          <a
            href={`${base}${p.path}`}
            class={p.path === route ? 'active' : ''}
            onClick={(e) => {
              e.preventDefault();
              navigate(p.path);
            }}
          >
            {p.label}
          </a>
        ))}
        <div class={`conn conn-${phase}`} data-testid="connection-phase">
          {phase}
          {client.hello ? <span class="muted"> · {client.hello.server.version}</span> : null}
        </div>
      </nav>
      <main class="content">
        {phase === 'refused' || (!client.hello && client.lastError) ? (
          <div class="banner error" role="alert">
            Not connected: {client.lastError}
            <TokenForm />
          </div>
        ) : null}
        {page.view()}
      </main>
    </div>
  );
}

const client = new GatewayClient(takeToken());
client.start();
(window as unknown as { openclawGateway: GatewayClient }).openclawGateway = client;
render(
  <GatewayContext.Provider value={client}>
    <Shell />
  </GatewayContext.Provider>,
  document.getElementById('app')!,
);
