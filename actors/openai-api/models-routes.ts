import type { OpenAiModelList } from '../../protocol/http/openai.js';
import { modelsOf } from './agent-target.js';
import type { HttpApiDeps } from './deps.js';
import { json, openAiError } from './io.js';

const PREFIX = '/v1/models/';

/** `GET /v1/models`: the agents as model ids. */
export function listModelsRoute(deps: HttpApiDeps): (request: Request) => Response {
  return () => {
    const list: OpenAiModelList = { object: 'list', data: modelsOf(deps.runs().agentIds()) };
    return json(list);
  };
}

/** `GET /v1/models/{id}` (`{id}` URL-encoded, e.g. `openclaw%2Fdefault`); unknown → 404. */
export function retrieveModelRoute(deps: HttpApiDeps): (request: Request) => Response {
  return (request) => {
    const raw = new URL(request.url).pathname.slice(PREFIX.length);
    let id: string;
    try {
      id = decodeURIComponent(raw);
    } catch {
      id = raw; // a malformed escape names no model; answered as unknown below
    }
    const model = modelsOf(deps.runs().agentIds()).find((m) => m.id === id);
    return model ? json(model) : openAiError(404, `Model '${id}' not found.`, 'invalid_request_error');
  };
}
