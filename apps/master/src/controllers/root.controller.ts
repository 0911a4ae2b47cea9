import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/access.decorator';

/** Until the admin portal ships, `/` points a visitor at the API and its docs. */
@ApiExcludeController()
@Controller()
export class RootController {
  @Get()
  @Public()
  @Header('content-type', 'text/html; charset=utf-8')
  index(): string {
    return '<!doctype html><title>AI gateway</title><h1>AI gateway</h1><p>Admin API: <a href="/api/docs">/api/docs</a> · liveness: <a href="/ping">/ping</a></p>';
  }
}
