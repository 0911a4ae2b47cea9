import { BEARER, capabilities, provider } from './provider-preset';

/**
 * The providers with a wire format (or an auth scheme) of their own, each
 * served by its own adaptor; and the generic OpenAI-compatible type for any
 * server without a preset.
 */
export const NATIVE_PROVIDERS = [
  provider({
    id: 'openai',
    name: 'OpenAI',
    family: 'openai',
    baseUrl: 'https://api.openai.com/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'responses', 'embeddings', 'completions', 'images', 'audio', 'moderations', 'tools', 'vision', 'reasoning', 'streaming'),
    docs: 'https://platform.openai.com/docs/api-reference',
  }),
  provider({
    id: 'openai-compatible',
    name: 'OpenAI-compatible server',
    family: 'openai-compatible',
    baseUrl: null,
    exampleBaseUrl: 'http://llm.internal:8000/v1',
    auth: BEARER,
    // Any server: the operator routes to it what it serves (images, audio, moderations, Jina-shaped rerank at {base}/rerank included).
    capabilities: capabilities('chat', 'embeddings', 'completions', 'images', 'audio', 'rerank', 'moderations', 'tools', 'vision', 'streaming'),
  }),
  provider({
    id: 'azure',
    name: 'Azure OpenAI',
    family: 'azure',
    baseUrl: null,
    exampleBaseUrl: 'https://my-resource.openai.azure.com/openai',
    auth: { style: 'header', header: 'api-key' },
    capabilities: capabilities('chat', 'responses', 'embeddings', 'completions', 'images', 'audio', 'tools', 'vision', 'reasoning', 'streaming'),
    docs: 'https://learn.microsoft.com/azure/ai-foundry/openai/reference',
  }),
  provider({
    id: 'anthropic',
    name: 'Anthropic',
    family: 'anthropic',
    baseUrl: 'https://api.anthropic.com',
    auth: { style: 'header', header: 'x-api-key' },
    capabilities: capabilities('chat', 'messages', 'tools', 'vision', 'reasoning', 'streaming'),
    docs: 'https://docs.anthropic.com/en/api/messages',
  }),
  provider({
    id: 'gemini',
    name: 'Google Gemini (AI Studio)',
    family: 'gemini',
    baseUrl: 'https://generativelanguage.googleapis.com',
    auth: { style: 'header', header: 'x-goog-api-key' },
    capabilities: capabilities('chat', 'tools', 'vision', 'reasoning', 'streaming'),
    docs: 'https://ai.google.dev/api',
  }),
  provider({
    id: 'vertex',
    name: 'Google Vertex AI',
    family: 'vertex',
    baseUrl: null,
    exampleBaseUrl: 'https://us-central1-aiplatform.googleapis.com',
    auth: { style: 'google-service-account' },
    capabilities: capabilities('chat', 'messages', 'tools', 'vision', 'reasoning', 'streaming'),
    docs: 'https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference',
  }),
  provider({
    id: 'bedrock',
    name: 'Amazon Bedrock',
    family: 'bedrock',
    baseUrl: null,
    exampleBaseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com',
    auth: { style: 'aws-sigv4' },
    capabilities: capabilities('chat', 'messages', 'tools', 'vision', 'reasoning', 'streaming'),
    docs: 'https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html',
  }),
  provider({
    id: 'cohere',
    name: 'Cohere',
    family: 'cohere',
    baseUrl: 'https://api.cohere.com',
    auth: BEARER,
    capabilities: capabilities('chat', 'rerank', 'tools', 'vision', 'reasoning', 'streaming'),
    docs: 'https://docs.cohere.com/reference/chat',
  }),
] as const;
