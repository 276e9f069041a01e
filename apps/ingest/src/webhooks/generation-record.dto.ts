// The shape of one OpenRouter generation record as the webhook accepts it: types and bounds per field.
// Business rules (catalog, cost, time window) are applied afterwards by the domain's acceptGeneration.
import { IsDefined, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min, ValidateIf, ValidationArguments, registerDecorator } from 'class-validator';
import { USAGE_BOUNDS } from '@mai/domain';

/** total_cost: a JSON number or a decimal string; its value is checked by the domain's parseRawCost. */
function IsNumberOrString() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isNumberOrString',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => typeof value === 'number' || typeof value === 'string',
        defaultMessage: (args?: ValidationArguments) => `${args?.property} must be a number or a decimal string`,
      },
    });
}

const tokens = (message: string) => [IsInt({ message }), Min(0, { message }), Max(USAGE_BOUNDS.maxTokens, { message })];
const tokenMessage = (field: string) => `${field} must be an integer from 0 to ${USAGE_BOUNDS.maxTokens}`;
const apply = (decorators: PropertyDecorator[]): PropertyDecorator => (target, key) => decorators.forEach((d) => d(target, key));

export class GenerationRecordDto {
  @IsString({ message: 'id must be a string' })
  @Length(1, USAGE_BOUNDS.generationIdMaxLength, { message: `id must be 1 to ${USAGE_BOUNDS.generationIdMaxLength} characters` })
  id!: string;

  @IsString({ message: 'model must be a string' })
  @Length(1, 200, { message: 'model must be 1 to 200 characters' })
  model!: string;

  @IsOptional()
  @IsString({ message: 'provider_name must be a string' })
  @Length(1, USAGE_BOUNDS.providerMaxLength, { message: `provider_name must be 1 to ${USAGE_BOUNDS.providerMaxLength} characters` })
  provider_name?: string;

  @IsDefined({ message: 'total_cost is required' })
  @IsNumberOrString()
  total_cost!: number | string;

  @IsOptional()
  @apply(tokens(tokenMessage('native_tokens_prompt')))
  native_tokens_prompt?: number;

  @IsOptional()
  @apply(tokens(tokenMessage('native_tokens_completion')))
  native_tokens_completion?: number;

  @ValidateIf((record: GenerationRecordDto) => record.native_tokens_prompt === undefined || record.native_tokens_prompt === null)
  @IsDefined({ message: 'native_tokens_prompt or tokens_prompt is required' })
  @apply(tokens(tokenMessage('tokens_prompt')))
  tokens_prompt?: number;

  @ValidateIf((record: GenerationRecordDto) => record.native_tokens_completion === undefined || record.native_tokens_completion === null)
  @IsDefined({ message: 'native_tokens_completion or tokens_completion is required' })
  @apply(tokens(tokenMessage('tokens_completion')))
  tokens_completion?: number;

  @IsString({ message: 'created_at must be an RFC 3339 timestamp string' })
  @MaxLength(40, { message: 'created_at must be an RFC 3339 timestamp string' })
  created_at!: string;

  @IsOptional()
  @IsString({ message: 'user must be a string' })
  @Length(1, USAGE_BOUNDS.userMaxLength, { message: `user must be 1 to ${USAGE_BOUNDS.userMaxLength} characters` })
  user?: string;
}
