import { NO_LOGPROBS_AT_ALL, ONE_CHOICE } from './common-quirks';
import { BEARER, capabilities, dropParam, provider, quirks } from './provider-preset';

const MAX_TOKENS = quirks({ maxTokensField: 'max_tokens' });

/**
 * GLM (BigModel / Z.ai): one choice, no log probabilities, usage in the last
 * chunk unasked; its end-user field is `user_id` with its own length rules,
 * so OpenAI's `user` is not carried over.
 */
const GLM = quirks({
  maxTokensField: 'max_tokens',
  streamOptions: false,
  params: [ONE_CHOICE, ...NO_LOGPROBS_AT_ALL, dropParam('user', 'names the end user in user_id, with its own rules')],
});

/**
 * Model platforms in mainland China (and their international endpoints),
 * each with an OpenAI-compatible Chat Completions API. Where a provider runs
 * an international and a mainland endpoint, the default is the one its
 * English documentation gives; the other is a base_url away.
 */
export const CHINA_PROVIDERS = [
  provider({
    id: 'moonshot',
    name: 'Moonshot AI (Kimi)',
    family: 'openai-compatible',
    baseUrl: 'https://api.moonshot.ai/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'tools', 'vision', 'reasoning', 'streaming'),
    quirks: MAX_TOKENS,
    docs: 'https://platform.moonshot.ai/docs/api/chat',
  }),
  provider({
    id: 'zhipu',
    name: 'Zhipu AI (BigModel GLM)',
    family: 'openai-compatible',
    baseUrl: 'https://open.bigmodel.cn/api/paas/v4',
    auth: BEARER,
    capabilities: capabilities('chat', 'embeddings', 'images', 'tools', 'vision', 'reasoning', 'streaming'),
    quirks: GLM,
    docs: 'https://docs.bigmodel.cn/api-reference',
  }),
  provider({
    id: 'zai',
    name: 'Z.ai (GLM, international)',
    family: 'openai-compatible',
    baseUrl: 'https://api.z.ai/api/paas/v4',
    auth: BEARER,
    capabilities: capabilities('chat', 'images', 'tools', 'vision', 'reasoning', 'streaming'),
    quirks: GLM,
    docs: 'https://docs.z.ai/api-reference/llm/chat-completion',
  }),
  provider({
    id: 'dashscope',
    name: 'Alibaba Cloud Model Studio (Qwen, DashScope)',
    family: 'openai-compatible',
    baseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'embeddings', 'tools', 'vision', 'reasoning', 'streaming'),
    quirks: MAX_TOKENS,
    docs: 'https://www.alibabacloud.com/help/en/model-studio/compatibility-of-openai-with-dashscope',
  }),
  provider({
    id: 'siliconflow',
    name: 'SiliconFlow',
    family: 'openai-compatible',
    baseUrl: 'https://api.siliconflow.cn/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'embeddings', 'images', 'audio', 'rerank', 'tools', 'vision', 'reasoning', 'streaming'),
    quirks: MAX_TOKENS,
    docs: 'https://docs.siliconflow.cn/en/api-reference/chat-completions/chat-completions',
  }),
  provider({
    id: 'minimax',
    name: 'MiniMax',
    family: 'openai-compatible',
    baseUrl: 'https://api.minimax.io/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'tools', 'reasoning', 'streaming'),
    quirks: quirks({ maxTokensField: 'max_tokens', params: [ONE_CHOICE] }),
    docs: 'https://platform.minimax.io/docs/api-reference/text-openai-api',
  }),
  provider({
    id: 'baichuan',
    name: 'Baichuan AI',
    family: 'openai-compatible',
    baseUrl: 'https://api.baichuan-ai.com/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'embeddings', 'tools', 'streaming'),
    quirks: MAX_TOKENS,
    docs: 'https://platform.baichuan-ai.com/docs/api',
  }),
  provider({
    id: 'volcengine-ark',
    name: 'Volcengine Ark (Doubao)',
    family: 'openai-compatible',
    baseUrl: 'https://ark.cn-beijing.volces.com/api/v3',
    auth: BEARER,
    capabilities: capabilities('chat', 'embeddings', 'images', 'tools', 'vision', 'reasoning', 'streaming'),
    quirks: MAX_TOKENS,
    docs: 'https://www.volcengine.com/docs/82379/1298454',
  }),
  provider({
    id: 'hunyuan',
    name: 'Tencent Hunyuan',
    family: 'openai-compatible',
    baseUrl: 'https://api.hunyuan.cloud.tencent.com/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'embeddings', 'tools', 'vision', 'streaming'),
    quirks: MAX_TOKENS,
    docs: 'https://cloud.tencent.com/document/product/1729/111007',
  }),
  provider({
    id: 'qianfan',
    name: 'Baidu Qianfan (ERNIE)',
    family: 'openai-compatible',
    baseUrl: 'https://qianfan.baidubce.com/v2',
    auth: BEARER,
    capabilities: capabilities('chat', 'embeddings', 'rerank', 'tools', 'vision', 'reasoning', 'streaming'),
    docs: 'https://cloud.baidu.com/doc/qianfan-api/s/3m7of64lb',
  }),
  provider({
    id: 'lingyiwanwu',
    name: '01.AI (Yi)',
    family: 'openai-compatible',
    baseUrl: 'https://api.lingyiwanwu.com/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'tools', 'vision', 'streaming'),
    quirks: MAX_TOKENS,
    docs: 'https://platform.lingyiwanwu.com/docs',
  }),
  provider({
    id: 'stepfun',
    name: 'StepFun',
    family: 'openai-compatible',
    baseUrl: 'https://api.stepfun.com/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'images', 'audio', 'tools', 'vision', 'reasoning', 'streaming'),
    quirks: MAX_TOKENS,
    docs: 'https://platform.stepfun.com/docs/api-reference/chat/chat-completion-create',
  }),
  provider({
    id: 'modelscope',
    name: 'ModelScope API-Inference',
    family: 'openai-compatible',
    baseUrl: 'https://api-inference.modelscope.cn/v1',
    auth: BEARER,
    capabilities: capabilities('chat', 'tools', 'vision', 'reasoning', 'streaming'),
    docs: 'https://modelscope.cn/docs/model-service/API-Inference/intro',
  }),
] as const;
