import { ONE_CHOICE } from './common-quirks';
import { BEARER, NO_AUTH, capabilities, dropParam, provider, quirks, refuseParam } from './provider-preset';

/**
 * Inference servers the operator runs: no default base URL (the example is
 * each server's own default), and a key only when the server was started
 * with one (Bearer) — Ollama and LM Studio take none.
 */
export const SELF_HOSTED_PROVIDERS = [
  provider({
    id: 'ollama',
    name: 'Ollama',
    family: 'openai-compatible',
    baseUrl: null,
    exampleBaseUrl: 'http://localhost:11434/v1',
    auth: NO_AUTH,
    capabilities: capabilities('chat', 'embeddings', 'completions', 'tools', 'vision', 'reasoning', 'streaming'),
    // Ollama's OpenAI layer lists tool_choice, logit_bias, user and n as unsupported (it ignores them).
    quirks: quirks({
      maxTokensField: 'max_tokens',
      params: [
        ONE_CHOICE,
        refuseParam('tool_choice', 'cannot force or forbid a tool call', ['auto']),
        refuseParam('logit_bias', 'has no logit bias'),
        dropParam('user', 'takes no end-user id'),
      ],
    }),
    docs: 'https://github.com/ollama/ollama/blob/main/docs/openai.md',
  }),
  provider({
    id: 'vllm',
    name: 'vLLM',
    family: 'openai-compatible',
    baseUrl: null,
    exampleBaseUrl: 'http://localhost:8000/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'responses', 'embeddings', 'completions', 'rerank', 'tools', 'vision', 'reasoning', 'streaming'),
    docs: 'https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html',
  }),
  provider({
    id: 'sglang',
    name: 'SGLang',
    family: 'openai-compatible',
    baseUrl: null,
    exampleBaseUrl: 'http://localhost:30000/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'embeddings', 'completions', 'tools', 'vision', 'reasoning', 'streaming'),
    docs: 'https://docs.sglang.ai/basic_usage/openai_api.html',
  }),
  provider({
    id: 'lmstudio',
    name: 'LM Studio',
    family: 'openai-compatible',
    baseUrl: null,
    exampleBaseUrl: 'http://localhost:1234/v1',
    auth: NO_AUTH,
    capabilities: capabilities('chat', 'embeddings', 'completions', 'tools', 'vision', 'reasoning', 'streaming'),
    quirks: quirks({ maxTokensField: 'max_tokens', params: [ONE_CHOICE] }),
    docs: 'https://lmstudio.ai/docs/app/api/endpoints/openai',
  }),
  provider({
    id: 'llamacpp',
    name: 'llama.cpp server',
    family: 'openai-compatible',
    baseUrl: null,
    exampleBaseUrl: 'http://localhost:8080/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'embeddings', 'completions', 'rerank', 'tools', 'vision', 'reasoning', 'streaming'),
    // llama-server answers 400 "Only one completion choice is allowed".
    quirks: quirks({ params: [ONE_CHOICE] }),
    docs: 'https://github.com/ggml-org/llama.cpp/tree/master/tools/server',
  }),
  provider({
    id: 'localai',
    name: 'LocalAI',
    family: 'openai-compatible',
    baseUrl: null,
    exampleBaseUrl: 'http://localhost:8080/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'embeddings', 'completions', 'images', 'audio', 'rerank', 'tools', 'vision', 'streaming'),
    docs: 'https://localai.io/features/text-generation/',
  }),
  provider({
    id: 'xinference',
    name: 'Xorbits Inference (Xinference)',
    family: 'openai-compatible',
    baseUrl: null,
    exampleBaseUrl: 'http://localhost:9997/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'embeddings', 'completions', 'images', 'audio', 'rerank', 'tools', 'vision', 'reasoning', 'streaming'),
    docs: 'https://inference.readthedocs.io/en/latest/user_guide/client_api.html',
  }),
  provider({
    id: 'tgi',
    name: 'Hugging Face Text Generation Inference',
    family: 'openai-compatible',
    baseUrl: null,
    exampleBaseUrl: 'http://localhost:8080/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'completions', 'tools', 'vision', 'streaming'),
    quirks: quirks({ params: [ONE_CHOICE] }),
    docs: 'https://huggingface.co/docs/text-generation-inference/messages_api',
  }),
  provider({
    id: 'aigw',
    name: 'Another aigw gateway',
    family: 'openai-compatible',
    baseUrl: null,
    exampleBaseUrl: 'https://gateway.example.com/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'responses', 'embeddings', 'completions', 'tools', 'vision', 'reasoning', 'streaming'),
  }),
] as const;
