import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';
import { SecretCipher } from './secrets/secret-cipher';

/** Provides the validated AppConfig (loaded once, before Nest starts) and the SecretCipher. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: SecretCipher, useFactory: () => new SecretCipher(config.secretKey, config.previousSecretKeys) },
      ],
      exports: [AppConfig, SecretCipher],
    };
  }
}
