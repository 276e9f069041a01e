// The model catalog: which models we meter, how they are named on the dashboard and who provides them.
// pricing-fx owns the live catalog (stored, with history); this file holds its type and the default seed.

export interface CatalogModel {
  readonly id: string;
  readonly displayName: string;
  readonly provider: string;
}

/** The default catalog (contract §6), in the contract's order. Seeded into pricing-fx's store once. */
export const DEFAULT_CATALOG: readonly CatalogModel[] = [
  { id: 'anthropic/claude-sonnet-4', displayName: 'Claude Sonnet 4', provider: 'Anthropic' },
  { id: 'google/gemini-2.5-flash', displayName: 'Gemini 2.5 Flash', provider: 'Google' },
  { id: 'google/gemini-2.5-pro', displayName: 'Gemini 2.5 Pro', provider: 'Google' },
  { id: 'deepseek/deepseek-chat-v3-0324', displayName: 'DeepSeek Chat v3', provider: 'DeepSeek' },
  { id: 'anthropic/claude-3.7-sonnet', displayName: 'Claude 3.7 Sonnet', provider: 'Anthropic' },
  { id: 'google/gemini-2.5-flash-lite-preview-06-17', displayName: 'Gemini 2.5 Flash Lite', provider: 'Google' },
  { id: 'openai/gpt-4.1', displayName: 'GPT-4.1', provider: 'OpenAI' },
  { id: 'x-ai/grok-4', displayName: 'Grok 4', provider: 'xAI' },
  { id: 'openai/gpt-4o-mini', displayName: 'GPT-4o Mini', provider: 'OpenAI' },
  { id: 'openai/o4-mini-high', displayName: 'O4 Mini High', provider: 'OpenAI' },
  { id: 'openai/o3', displayName: 'O3', provider: 'OpenAI' },
  { id: 'openai/chatgpt-4o-latest', displayName: 'ChatGPT-4o Latest', provider: 'OpenAI' },
];

/** Model ids are `vendor/name` as OpenRouter writes them. */
export const MODEL_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}\/[a-z0-9][a-z0-9.:_-]{0,127}$/;

/** A read-only lookup over one version of the catalog. */
export class Catalog {
  private readonly byId: ReadonlyMap<string, CatalogModel>;

  constructor(readonly models: readonly CatalogModel[]) {
    this.byId = new Map(models.map((model) => [model.id, model]));
  }

  find(modelId: string): CatalogModel | undefined {
    return this.byId.get(modelId);
  }

  has(modelId: string): boolean {
    return this.byId.has(modelId);
  }
}
