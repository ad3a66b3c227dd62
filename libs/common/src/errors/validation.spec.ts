import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ValidationError } from '@nestjs/common';
import { toFieldErrors } from './validation.js';

describe('toFieldErrors', () => {
  it('flattens nested errors into dotted field paths, one entry per constraint', () => {
    const errors: ValidationError[] = [
      { property: 'email', constraints: { isEmail: 'email must be an email' }, children: [] },
      {
        property: 'items',
        children: [
          {
            property: '0',
            children: [
              {
                property: 'name',
                constraints: { isString: 'name must be a string', maxLength: 'name is too long' },
              },
            ],
          },
        ],
      },
    ];
    assert.deepEqual(toFieldErrors(errors), [
      { field: 'email', message: 'email must be an email' },
      { field: 'items.0.name', message: 'name must be a string' },
      { field: 'items.0.name', message: 'name is too long' },
    ]);
  });
});
